using System.Buffers.Binary;
using Federation.Core.Governance;
using Federation.Core.Signals;

namespace Federation.Hub.Storage;

/// <summary>
/// Reads the packed record stored as a bucket hash value. Written only by the Lua scripts (<c>rec_pack</c> in
/// signal_record.lua); this layout is persisted, change it only together with a reader for the old one.
/// </summary>
/// <remarks>
/// <c>struct.pack('&lt;BI4I4I4I4I4I4BHHHHBBB', …)</c>, little-endian, with its trailing zero bytes removed (37 bytes at most,
/// 22 for a typical single-contributor record): 0 status (1 active, 2 retracted, 3 expired, 4 overturned), 1 version (u32),
/// 5 categories (u32, <see cref="CategorySet.Bits"/>), 9 first seen, 13 last seen, 17 expires at (u32 unix seconds,
/// 0 = never), 21 inline contributor's member number (u32, 0 once contributors moved to the overflow hash or none is
/// left), 25 PDQ quality, 26 extra count (u16: the corroboration count when there is no inline contributor; an inline
/// contributor means exactly one, whose categories are the record's), 28 confirmed, 30 disputed, 32 false positive
/// (u16 each), 34 confidence + 1 (0 = none stated), 35 share level (0 = GREEN, else the <see cref="TlpLevel"/> value),
/// 36 governance flags (<see cref="QuarantinedFlag"/>, <see cref="ReviewedFlag"/>):
/// a record without confidence, at GREEN and without flags costs no byte more than before these fields, and a record written
/// before them reads as none / GREEN / no flags. A 38-byte value is the first layout (<c>&lt;BBI4I4I4I4I4HHHHI4I4</c>: status, quality, version,
/// categories, first, last, expires, count, confirmed, disputed, false positive, inline member, its categories), still read.
/// </remarks>
public static class SignalRecordCodec
{
    /// <summary>Length of a packed record before its trailing zero bytes are removed.</summary>
    public const int FullLength = 37;

    /// <summary>Flag bit: the record is quarantined.</summary>
    public const byte QuarantinedFlag = 1;

    /// <summary>Flag bit: administrators released it from quarantine, so the opinion policy leaves it be.</summary>
    public const byte ReviewedFlag = 2;

    /// <summary>Length of a record of the first layout.</summary>
    public const int LegacyLength = 38;

    /// <summary>Decodes a packed record. A stored ACTIVE record whose expiry has passed reads as EXPIRED.</summary>
    /// <exception cref="FormatException">The value is not a packed record.</exception>
    public static SignalRecord Decode(ReadOnlySpan<byte> storageKey, ReadOnlySpan<byte> packed, DateTimeOffset now)
    {
        if (packed.Length == LegacyLength)
        {
            return DecodeLegacy(storageKey, packed, now);
        }

        if (packed.IsEmpty || packed.Length > FullLength)
        {
            throw new FormatException($"A packed signal record is 1-{FullLength} or {LegacyLength} bytes; got {packed.Length}.");
        }

        Span<byte> full = stackalloc byte[FullLength];
        full.Clear();
        packed.CopyTo(full);
        var inline = BinaryPrimitives.ReadUInt32LittleEndian(full[21..]);
        return Build(
            storageKey,
            (SignalState)full[0],
            version: BinaryPrimitives.ReadUInt32LittleEndian(full[1..]),
            categories: BinaryPrimitives.ReadUInt32LittleEndian(full[5..]),
            first: BinaryPrimitives.ReadUInt32LittleEndian(full[9..]),
            last: BinaryPrimitives.ReadUInt32LittleEndian(full[13..]),
            expires: BinaryPrimitives.ReadUInt32LittleEndian(full[17..]),
            quality: full[25],
            count: inline != 0 ? 1 : BinaryPrimitives.ReadUInt16LittleEndian(full[26..]),
            confirmed: BinaryPrimitives.ReadUInt16LittleEndian(full[28..]),
            disputed: BinaryPrimitives.ReadUInt16LittleEndian(full[30..]),
            falsePositive: BinaryPrimitives.ReadUInt16LittleEndian(full[32..]),
            now,
            confidence: full[34] == 0 ? null : full[34] - 1,
            shareLevel: full[35] == 0 ? TlpLevel.Green : (TlpLevel)full[35],
            quarantined: (full[36] & QuarantinedFlag) != 0);
    }

    /// <summary>The stored form of a stated confidence: confidence + 1, 0 when none was stated.</summary>
    public static int StoredConfidence(int? confidence) => confidence is { } c ? c + 1 : 0;

    /// <summary>The stored form of a share level: 0 for GREEN (stated or not), else its value.</summary>
    public static int StoredShareLevel(TlpLevel level) => level is TlpLevel.Green or TlpLevel.Unspecified ? 0 : (int)level;

    /// <summary>The member number of the inline (single) contributor, 0 when contributors are in the overflow hash.</summary>
    public static long InlineContributor(ReadOnlySpan<byte> packed)
    {
        if (packed.Length == LegacyLength)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(packed[30..]);
        }

        Span<byte> member = stackalloc byte[4];
        member.Clear();
        if (packed.Length > 21)
        {
            packed[21..Math.Min(packed.Length, 25)].CopyTo(member);
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(member);
    }

    private static SignalRecord DecodeLegacy(ReadOnlySpan<byte> storageKey, ReadOnlySpan<byte> packed, DateTimeOffset now) =>
        Build(
            storageKey,
            (SignalState)packed[0],
            version: BinaryPrimitives.ReadUInt32LittleEndian(packed[2..]),
            categories: BinaryPrimitives.ReadUInt32LittleEndian(packed[6..]),
            first: BinaryPrimitives.ReadUInt32LittleEndian(packed[10..]),
            last: BinaryPrimitives.ReadUInt32LittleEndian(packed[14..]),
            expires: BinaryPrimitives.ReadUInt32LittleEndian(packed[18..]),
            quality: packed[1],
            count: BinaryPrimitives.ReadUInt16LittleEndian(packed[22..]),
            confirmed: BinaryPrimitives.ReadUInt16LittleEndian(packed[24..]),
            disputed: BinaryPrimitives.ReadUInt16LittleEndian(packed[26..]),
            falsePositive: BinaryPrimitives.ReadUInt16LittleEndian(packed[28..]),
            now);

    private static SignalRecord Build(
        ReadOnlySpan<byte> storageKey, SignalState state, uint version, uint categories, uint first, uint last, uint expires,
        int quality, int count, int confirmed, int disputed, int falsePositive, DateTimeOffset now,
        int? confidence = null, TlpLevel shareLevel = TlpLevel.Green, bool quarantined = false)
    {
        var (signal, group) = SignalStorageKey.Parse(storageKey);
        DateTimeOffset? expiresAt = expires == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expires);
        if (state == SignalState.Active && expiresAt <= now)
        {
            state = SignalState.Expired;
        }

        return new SignalRecord(
            signal,
            group,
            CategorySet.FromBits(categories),
            DateTimeOffset.FromUnixTimeSeconds(first),
            DateTimeOffset.FromUnixTimeSeconds(last),
            count,
            confirmed,
            disputed,
            falsePositive,
            state,
            version,
            expiresAt,
            quality,
            confidence,
            shareLevel)
        {
            Quarantined = quarantined,
        };
    }
}
