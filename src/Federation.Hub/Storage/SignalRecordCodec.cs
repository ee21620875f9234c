using System.Buffers.Binary;
using Federation.Core.Signals;

namespace Federation.Hub.Storage;

/// <summary>
/// Reads the packed record stored as a bucket hash value. Written only by the Lua scripts with
/// <c>struct.pack('&lt;BBI4I4I4I4I4HHHHI4I4', …)</c>; this layout is persisted, change it only with a migration.
/// </summary>
/// <remarks>
/// Little-endian, 38 bytes: 0 status (1 active, 2 retracted, 3 expired), 1 PDQ quality, 2 version (u32),
/// 6 categories (u32, <see cref="CategorySet.Bits"/>), 10 first seen, 14 last seen, 18 expires at (u32 unix seconds,
/// 0 = never), 22 corroboration count (u16), 24 confirmed, 26 disputed, 28 false positive (u16 each),
/// 30 inline contributor's member number (u32, 0 once contributors moved to the overflow hash), 34 inline
/// contributor's categories (u32).
/// </remarks>
public static class SignalRecordCodec
{
    /// <summary>Length of a packed record.</summary>
    public const int Length = 38;

    /// <summary>Decodes a packed record. A stored ACTIVE record whose expiry has passed reads as EXPIRED.</summary>
    /// <exception cref="FormatException">The value is not a packed record.</exception>
    public static SignalRecord Decode(ReadOnlySpan<byte> storageKey, ReadOnlySpan<byte> packed, DateTimeOffset now)
    {
        if (packed.Length < Length)
        {
            throw new FormatException($"A packed signal record is {Length} bytes; got {packed.Length}.");
        }

        var (signal, group) = SignalStorageKey.Parse(storageKey);
        var state = (SignalState)packed[0];
        var expires = BinaryPrimitives.ReadUInt32LittleEndian(packed[18..]);
        DateTimeOffset? expiresAt = expires == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expires);
        if (state == SignalState.Active && expiresAt <= now)
        {
            state = SignalState.Expired;
        }

        return new SignalRecord(
            signal,
            group,
            CategorySet.FromBits(BinaryPrimitives.ReadUInt32LittleEndian(packed[6..])),
            DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32LittleEndian(packed[10..])),
            DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32LittleEndian(packed[14..])),
            BinaryPrimitives.ReadUInt16LittleEndian(packed[22..]),
            BinaryPrimitives.ReadUInt16LittleEndian(packed[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(packed[26..]),
            BinaryPrimitives.ReadUInt16LittleEndian(packed[28..]),
            state,
            BinaryPrimitives.ReadUInt32LittleEndian(packed[2..]),
            expiresAt,
            packed[1]);
    }

    /// <summary>The member number of the inline (single) contributor, 0 when contributors are in the overflow hash.</summary>
    public static long InlineContributor(ReadOnlySpan<byte> packed) => BinaryPrimitives.ReadUInt32LittleEndian(packed[30..]);
}
