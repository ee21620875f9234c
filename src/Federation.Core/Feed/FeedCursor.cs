using System.Buffers;
using System.Buffers.Text;

namespace Federation.Core.Feed;

/// <summary>
/// The opaque cursor of the live feed: one <see cref="FeedPosition"/> per partition, so a subscriber
/// resumes each partition strictly after the last entry it processed.
/// </summary>
/// <remarks>
/// Wire form (version 1), base64url without padding:
/// <c>[version byte = 1][varint partition count][per partition: varint milliseconds, varint sequence]</c>.
/// Varints are unsigned LEB128. Clients must treat the text as opaque; the version byte lets a later hub
/// change the layout and still read (or precisely refuse) old cursors. Equal position vectors always
/// encode to the same text, so two replicas that delivered the same updates hand out identical cursors.
/// </remarks>
public static class FeedCursor
{
    /// <summary>The layout this code writes.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Most partitions a cursor may carry (the hub allows up to 1,024).</summary>
    public const int MaxPartitions = 1024;

    // Version byte + count varint (≤ 2 bytes for 1,024) + two 10-byte varints per partition.
    private const int MaxVarint = 10;

    /// <summary>Encodes the position vector.</summary>
    /// <exception cref="ArgumentException">No partitions or more than <see cref="MaxPartitions"/>.</exception>
    public static string Encode(ReadOnlySpan<FeedPosition> positions)
    {
        if (positions.IsEmpty || positions.Length > MaxPartitions)
        {
            throw new ArgumentException($"A cursor covers 1 to {MaxPartitions} partitions; got {positions.Length}.", nameof(positions));
        }

        var max = 1 + 2 + (positions.Length * 2 * MaxVarint);
        var rented = max <= 1024 ? null : new byte[max];
        Span<byte> buffer = rented ?? stackalloc byte[max];
        var length = 0;
        buffer[length++] = CurrentVersion;
        length += WriteVarint(buffer[length..], (ulong)positions.Length);
        foreach (var position in positions)
        {
            length += WriteVarint(buffer[length..], position.Milliseconds);
            length += WriteVarint(buffer[length..], position.Sequence);
        }

        return Base64Url.EncodeToString(buffer[..length]);
    }

    /// <summary>Decodes a cursor a client sent back.</summary>
    /// <param name="text">The cursor text.</param>
    /// <param name="positions">The positions, one per partition, when valid.</param>
    /// <param name="error">Why the text is not a cursor, when invalid; phrased for the client.</param>
    public static bool TryDecode(string? text, out FeedPosition[] positions, out string error)
    {
        positions = [];
        if (string.IsNullOrEmpty(text))
        {
            error = "the cursor is empty; pass the cursor of the last update processed";
            return false;
        }

        var maxBytes = Base64Url.GetMaxDecodedLength(text.Length);
        if (maxBytes > 1 + 2 + (MaxPartitions * 2 * MaxVarint))
        {
            error = "the cursor is too long to be a feed cursor";
            return false;
        }

        var bytes = new byte[maxBytes];
        if (Base64Url.DecodeFromChars(text, bytes, out _, out var length) != OperationStatus.Done
            || text.AsSpan().ContainsAny(" \t\r\n="))
        {
            error = "the cursor is not base64url text; pass the cursor exactly as the hub sent it";
            return false;
        }

        ReadOnlySpan<byte> data = bytes.AsSpan(0, length);
        if (data.IsEmpty || data[0] != CurrentVersion)
        {
            error = data.IsEmpty ? "the cursor is empty" : $"cursor version {data[0]} is not supported by this hub (it reads version {CurrentVersion})";
            return false;
        }

        var offset = 1;
        if (!TryReadVarint(data, ref offset, out var count) || count == 0 || count > MaxPartitions)
        {
            error = "the cursor's partition count is invalid";
            return false;
        }

        var result = new FeedPosition[(int)count];
        for (var i = 0; i < result.Length; i++)
        {
            if (!TryReadVarint(data, ref offset, out var ms) || !TryReadVarint(data, ref offset, out var seq))
            {
                error = "the cursor is truncated";
                return false;
            }

            result[i] = new FeedPosition(ms, seq);
        }

        if (offset != data.Length)
        {
            error = "the cursor has trailing bytes";
            return false;
        }

        positions = result;
        error = "";
        return true;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int offset, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= data.Length)
            {
                return false;
            }

            var b = data[offset++];
            if (shift == 63 && b > 1)
            {
                return false; // would overflow 64 bits
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                // Reject non-canonical encodings (trailing zero groups) so one vector has exactly one text.
                return shift == 0 || b != 0;
            }
        }

        return false;
    }
}
