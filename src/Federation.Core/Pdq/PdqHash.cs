using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Federation.Core.Pdq;

/// <summary>
/// A 256-bit PDQ perceptual image hash.
/// </summary>
/// <remarks>
/// Bit numbering follows the reference implementation (pdq/cpp/common/pdqhashtypes): bit <c>k</c> is
/// bit <c>k</c> of the 256-bit big-endian number that the 64 hex characters spell, so the last hex
/// character holds bits 0..3. <see cref="Word0"/> holds the most significant 64 bits (hex characters
/// 0..15), <see cref="Word3"/> the least significant (bits 0..63).
/// </remarks>
public readonly struct PdqHash : IEquatable<PdqHash>
{
    public const int BitLength = 256;
    public const int HexLength = 64;
    public const int ByteLength = 32;

    public PdqHash(ulong word0, ulong word1, ulong word2, ulong word3)
    {
        Word0 = word0;
        Word1 = word1;
        Word2 = word2;
        Word3 = word3;
    }

    /// <summary>Bits 192..255 (hex characters 0..15).</summary>
    public ulong Word0 { get; }

    /// <summary>Bits 128..191.</summary>
    public ulong Word1 { get; }

    /// <summary>Bits 64..127.</summary>
    public ulong Word2 { get; }

    /// <summary>Bits 0..63 (hex characters 48..63).</summary>
    public ulong Word3 { get; }

    /// <summary>The all-zero hash (what the reference returns for images too small to hash).</summary>
    public static PdqHash Zero => default;

    /// <summary>Hamming distance: the number of differing bits, 0..256.</summary>
    public int Distance(in PdqHash other) =>
        BitOperations.PopCount(Word0 ^ other.Word0)
        + BitOperations.PopCount(Word1 ^ other.Word1)
        + BitOperations.PopCount(Word2 ^ other.Word2)
        + BitOperations.PopCount(Word3 ^ other.Word3);

    /// <summary>Number of set bits.</summary>
    public int PopCount() =>
        BitOperations.PopCount(Word0) + BitOperations.PopCount(Word1)
        + BitOperations.PopCount(Word2) + BitOperations.PopCount(Word3);

    /// <summary>Bit <paramref name="index"/> in reference numbering (0..255).</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BitLength);
        return ((GetWordByBitIndex(index) >> (index & 63)) & 1UL) != 0;
    }

    /// <summary>A copy of this hash with bit <paramref name="index"/> inverted.</summary>
    public PdqHash WithBitFlipped(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BitLength);
        var mask = 1UL << (index & 63);
        return (index >> 6) switch
        {
            3 => new PdqHash(Word0 ^ mask, Word1, Word2, Word3),
            2 => new PdqHash(Word0, Word1 ^ mask, Word2, Word3),
            1 => new PdqHash(Word0, Word1, Word2 ^ mask, Word3),
            _ => new PdqHash(Word0, Word1, Word2, Word3 ^ mask),
        };
    }

    /// <summary>
    /// The 16-bit substring <paramref name="chunk"/> (0..15): bits <c>16*chunk</c> to <c>16*chunk+15</c>.
    /// </summary>
    public ushort GetChunk16(int chunk)
    {
        var word = (chunk >> 2) switch
        {
            0 => Word3,
            1 => Word2,
            2 => Word1,
            _ => Word0,
        };
        return (ushort)(word >> ((chunk & 3) << 4));
    }

    private ulong GetWordByBitIndex(int index) => (index >> 6) switch
    {
        0 => Word3,
        1 => Word2,
        2 => Word1,
        _ => Word0,
    };

    /// <summary>Parses 64 hex characters (case-insensitive).</summary>
    /// <exception cref="FormatException">The text is not exactly 64 hex characters.</exception>
    public static PdqHash Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out var hash)
            ? hash
            : throw new FormatException($"A PDQ hash is exactly {HexLength} hex characters; got {hex.Length} characters that do not form one.");

    /// <inheritdoc cref="Parse(ReadOnlySpan{char})"/>
    public static PdqHash Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Parse(hex.AsSpan());
    }

    /// <summary>Parses 64 hex characters (case-insensitive); false on any other input.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out PdqHash hash)
    {
        hash = default;
        if (hex.Length != HexLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[ByteLength];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != ByteLength)
        {
            return false;
        }

        hash = FromBytes(bytes);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{char}, out PdqHash)"/>
    public static bool TryParse(string? hex, out PdqHash hash)
    {
        if (hex is null)
        {
            hash = default;
            return false;
        }

        return TryParse(hex.AsSpan(), out hash);
    }

    /// <summary>Reads 32 bytes, big-endian in the order the hex text reads.</summary>
    public static PdqHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A PDQ hash is exactly {ByteLength} bytes; got {bytes.Length}.", nameof(bytes));
        }

        return new PdqHash(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>Writes 32 bytes, big-endian in the order the hex text reads.</summary>
    public void WriteBytes(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"The destination needs {ByteLength} bytes; it has {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, Word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], Word3);
    }

    /// <summary>64 lowercase hex characters.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        WriteBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(PdqHash other) =>
        Word0 == other.Word0 && Word1 == other.Word1 && Word2 == other.Word2 && Word3 == other.Word3;

    public override bool Equals(object? obj) => obj is PdqHash other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Word0, Word1, Word2, Word3);

    public static bool operator ==(PdqHash left, PdqHash right) => left.Equals(right);

    public static bool operator !=(PdqHash left, PdqHash right) => !left.Equals(right);
}
