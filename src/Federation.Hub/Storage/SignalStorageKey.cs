using System.Text;
using Federation.Core.Signals;

namespace Federation.Hub.Storage;

/// <summary>
/// The binary identity of a stored record: <c>[kind byte][raw hash bytes][sharing group UTF-8]</c>. The raw length is
/// fixed per kind, so whatever follows it is the group (empty = coalition-wide). It is the field name inside a bucket
/// hash and the <c>s</c> field of feed entries.
/// </summary>
public static class SignalStorageKey
{
    /// <summary>Builds the storage key of a signal in a distribution.</summary>
    public static byte[] Create(in NormalizedSignal signal, string sharingGroup)
    {
        var groupLength = Encoding.UTF8.GetByteCount(sharingGroup);
        var key = new byte[signal.KeyLength + groupLength];
        signal.WriteKey(key);
        Encoding.UTF8.GetBytes(sharingGroup, key.AsSpan(signal.KeyLength));
        return key;
    }

    /// <summary>Splits a storage key into the signal and its sharing group.</summary>
    /// <exception cref="FormatException">Not a storage key.</exception>
    public static (NormalizedSignal Signal, string SharingGroup) Parse(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || !SignalRules.TryGet((SignalKind)key[0], out var info) || key.Length < 1 + info.RawLength)
        {
            throw new FormatException($"Not a signal storage key ({key.Length} bytes).");
        }

        var signal = NormalizedSignal.FromKey(key[..(1 + info.RawLength)]);
        return (signal, Encoding.UTF8.GetString(key[(1 + info.RawLength)..]));
    }

    /// <summary>
    /// The bucket of a signal inside its partition: raw bytes 2 and 3 (big-endian) modulo the bucket count. The
    /// partition uses bytes 0 and 1, so the two are independent; the group is not included, so every distribution
    /// of one hash shares a bucket and a look-up reads one key. STABLE for the life of a deployment.
    /// </summary>
    public static int Bucket(ReadOnlySpan<byte> storageKey, int bucketsPerPartition) =>
        ((storageKey[3] << 8) | storageKey[4]) % bucketsPerPartition;
}
