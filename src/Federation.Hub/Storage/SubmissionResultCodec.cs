using Federation.Hub.Domain;

namespace Federation.Hub.Storage;

/// <summary>
/// The stored form of a batch's answer, remembered under its request id for idempotent retries: per item its outcome
/// and, for a rejection, the refusal; then the consistency token. Signal and record ids are left out (~75 bytes per
/// item): a retry carries the same items, so they are derived again from it. Version byte first, so a later format can
/// be told apart.
/// </summary>
public static class SubmissionResultCodec
{
    private const byte Version = 1;

    /// <summary>Encodes <paramref name="result"/> without its ids.</summary>
    public static byte[] Encode(SubmissionResult result)
    {
        using var buffer = new MemoryStream(8 + (result.Items.Count * 2));
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write7BitEncodedInt(result.Items.Count);
            foreach (var item in result.Items)
            {
                writer.Write7BitEncodedInt(item.Index);
                writer.Write((byte)item.Outcome);
                if (item.Refusal is { } refusal)
                {
                    writer.Write((byte)(refusal.Kind + 1));
                    writer.Write(refusal.Field);
                    writer.Write(refusal.Description);
                }
                else
                {
                    writer.Write((byte)0);
                }
            }

            writer.Write(result.ConsistencyToken ?? "");
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote; ids are empty.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a stored answer of this version.</exception>
    public static SubmissionResult Decode(byte[] bytes)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
            if (reader.ReadByte() != Version)
            {
                throw new InvalidDataException($"A remembered submit answer has format version {bytes[0]}; this hub reads version {Version}.");
            }

            var items = new SubmissionItemResult[reader.Read7BitEncodedInt()];
            for (var i = 0; i < items.Length; i++)
            {
                var index = reader.Read7BitEncodedInt();
                var outcome = (SubmissionOutcome)reader.ReadByte();
                var kind = reader.ReadByte();
                ItemRefusal? refusal = kind == 0 ? null : new ItemRefusal((HubErrorKind)(kind - 1), reader.ReadString(), reader.ReadString());
                items[i] = new SubmissionItemResult(index, outcome, "", "", refusal);
            }

            var token = reader.ReadString();
            return new SubmissionResult(items, token.Length == 0 ? null : token);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("A remembered submit answer is truncated.", e);
        }
    }
}
