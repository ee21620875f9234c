using System.Text;
using Federation.Core.Signals;

namespace Federation.Hub.Storage;

/// <summary>
/// The binary identity of a stored record: <c>[kind byte][raw hash bytes][sharing group UTF-8]</c>, and for a keyed kind
/// <c>[kind byte][raw hash bytes][key id length byte][key id ASCII][sharing group UTF-8]</c>. The raw length is fixed
/// per kind and the key id says its length, so whatever follows is the group (empty = coalition-wide). It is the field
/// name inside a bucket hash and the <c>s</c> field of feed entries. The raw bytes come right after the kind byte in
/// both layouts, so <see cref="Bucket"/> and the partition read the same bytes for every kind.
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
        if (!NormalizedSignal.TryReadKey(key, out var signal, out var length))
        {
            throw new FormatException($"Not a signal storage key ({key.Length} bytes).");
        }

        return (signal, Encoding.UTF8.GetString(key[length..]));
    }

    /// <summary>
    /// The bucket of a signal in a fixed layout of <paramref name="bucketsPerPartition"/> buckets (nothing split yet):
    /// raw bytes 2 and 3 (big-endian) modulo the bucket count. The partition uses bytes 0 and 1, so the two are
    /// independent; the group is not included, so every distribution of one hash shares a bucket and a look-up reads
    /// one key.
    /// </summary>
    public static int Bucket(ReadOnlySpan<byte> storageKey, int bucketsPerPartition) => Hash(storageKey) % bucketsPerPartition;

    /// <summary>
    /// The 16 bits the bucket layout hashes on (raw bytes 2 and 3, big-endian; <see cref="BucketLayout"/>): the record's
    /// bucket is this mod n, or mod 2n once that bucket was split. With nothing split it is <see cref="Bucket"/>.
    /// </summary>
    public static int Hash(ReadOnlySpan<byte> storageKey) => (storageKey[3] << 8) | storageKey[4];
}
