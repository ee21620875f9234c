using System.Numerics;
using System.Runtime.InteropServices;

namespace Federation.Core.Signals;

/// <summary>
/// A set of <see cref="SignalCategory"/> values packed into one <see cref="uint"/>, because a signal's
/// categories are stored as a bitmask inside its packed Redis record and are unioned on every corroboration.
/// Category <c>c</c> (1..32) is bit <c>c - 1</c>, so today's eight categories fit in the low byte. That bit
/// layout is persisted: it is stable forever. <see cref="SignalCategory.Unspecified"/> is never a member.
/// </summary>
/// <remarks>
/// <see cref="FromBits"/> keeps bits this version does not name, so a record written by a newer hub that
/// knows more categories round-trips unchanged. Enumeration is allocation-free (a struct enumerator).
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct CategorySet : IEquatable<CategorySet>
{
    /// <summary>The highest category value a set can hold (bit 31).</summary>
    public const int MaxCategoryValue = 32;

    private CategorySet(uint bits) => Bits = bits;

    /// <summary>The empty set.</summary>
    public static CategorySet Empty => default;

    /// <summary>The raw bitmask: bit <c>c - 1</c> is set when category <c>c</c> is a member. This is what Redis stores.</summary>
    public uint Bits { get; }

    /// <summary>Whether the set has no members.</summary>
    public bool IsEmpty => Bits == 0;

    /// <summary>The number of members.</summary>
    public int Count => BitOperations.PopCount(Bits);

    /// <summary>Rebuilds a set from a stored bitmask; every bit is kept, including ones this version does not name.</summary>
    public static CategorySet FromBits(uint bits) => new(bits);

    /// <summary>A set with exactly one member.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and <see cref="MaxCategoryValue"/>.</exception>
    public static CategorySet Of(SignalCategory category) => new(BitOf(category));

    /// <summary>A set of the given members; duplicates are ignored.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not between 1 and <see cref="MaxCategoryValue"/>.</exception>
    public static CategorySet Of(params ReadOnlySpan<SignalCategory> categories)
    {
        uint bits = 0;
        foreach (var category in categories)
        {
            bits |= BitOf(category);
        }

        return new CategorySet(bits);
    }

    /// <summary>Whether <paramref name="category"/> is a member; false for values a set cannot hold.</summary>
    public bool Contains(SignalCategory category)
    {
        var value = (int)category;
        return value is >= 1 and <= MaxCategoryValue && (Bits & (1u << (value - 1))) != 0;
    }

    /// <summary>Whether every member of <paramref name="other"/> is also a member of this set.</summary>
    public bool ContainsAll(CategorySet other) => (Bits & other.Bits) == other.Bits;

    /// <summary>This set plus <paramref name="category"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 1 and <see cref="MaxCategoryValue"/>.</exception>
    public CategorySet Add(SignalCategory category) => new(Bits | BitOf(category));

    /// <summary>The members of either set; what a corroborating contribution does to a record's categories.</summary>
    public CategorySet Union(CategorySet other) => new(Bits | other.Bits);

    /// <summary>Enumerates the members in ascending numeric order without allocating.</summary>
    public Enumerator GetEnumerator() => new(Bits);

    /// <inheritdoc />
    public bool Equals(CategorySet other) => Bits == other.Bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CategorySet other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Bits;

    /// <summary>Lists the members by name, e.g. <c>{Csam, Grooming}</c>; for logs and test output.</summary>
    public override string ToString()
    {
        var builder = new System.Text.StringBuilder("{");
        foreach (var category in this)
        {
            if (builder.Length > 1)
            {
                builder.Append(", ");
            }

            builder.Append(category.ToString());
        }

        return builder.Append('}').ToString();
    }

    /// <summary>Set equality.</summary>
    public static bool operator ==(CategorySet left, CategorySet right) => left.Equals(right);

    /// <summary>Set inequality.</summary>
    public static bool operator !=(CategorySet left, CategorySet right) => !left.Equals(right);

    private static uint BitOf(SignalCategory category)
    {
        var value = (int)category;
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(category));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxCategoryValue, nameof(category));
        return 1u << (value - 1);
    }

    /// <summary>Walks the set bits of a <see cref="CategorySet"/>, lowest first.</summary>
    [StructLayout(LayoutKind.Auto)]
    public struct Enumerator
    {
        private uint _remaining;

        internal Enumerator(uint bits)
        {
            _remaining = bits;
            Current = SignalCategory.Unspecified;
        }

        /// <summary>The member at the current position.</summary>
        public SignalCategory Current { get; private set; }

        /// <summary>Advances to the next member.</summary>
        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            var bit = BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            Current = (SignalCategory)(bit + 1);
            return true;
        }
    }
}
