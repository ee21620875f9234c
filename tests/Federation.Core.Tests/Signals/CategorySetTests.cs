using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

public sealed class CategorySetTests
{
    [Theory]
    [InlineData(SignalCategory.Csam, 0x01u)]
    [InlineData(SignalCategory.CsamGenerated, 0x02u)]
    [InlineData(SignalCategory.Grooming, 0x04u)]
    [InlineData(SignalCategory.Sextortion, 0x08u)]
    [InlineData(SignalCategory.LivestreamedAbuse, 0x10u)]
    [InlineData(SignalCategory.Trafficking, 0x20u)]
    [InlineData(SignalCategory.PredatoryAccount, 0x40u)]
    [InlineData(SignalCategory.Solicitation, 0x80u)]
    public void Category_c_is_stored_as_bit_c_minus_1(SignalCategory category, uint bits)
    {
        Assert.Equal(bits, CategorySet.Of(category).Bits);
    }

    [Fact]
    public void Empty_set_has_no_members()
    {
        var empty = CategorySet.Empty;

        Assert.True(empty.IsEmpty);
        Assert.Equal(0, empty.Count);
        Assert.Equal(0u, empty.Bits);
        Assert.False(empty.Contains(SignalCategory.Csam));
    }

    [Fact]
    public void Union_holds_the_members_of_both_sets()
    {
        var left = CategorySet.Of(SignalCategory.Csam, SignalCategory.Grooming);
        var right = CategorySet.Of(SignalCategory.Grooming, SignalCategory.Sextortion);

        var union = left.Union(right);

        Assert.Equal(CategorySet.Of(SignalCategory.Csam, SignalCategory.Grooming, SignalCategory.Sextortion), union);
        Assert.Equal(3, union.Count);
        Assert.True(union.ContainsAll(left));
        Assert.False(left.ContainsAll(union));
    }

    [Fact]
    public void Enumerating_yields_members_in_ascending_order()
    {
        var set = CategorySet.Of(SignalCategory.Solicitation, SignalCategory.Csam, SignalCategory.Trafficking);

        var members = new List<SignalCategory>();
        foreach (var category in set)
        {
            members.Add(category);
        }

        Assert.Equal([SignalCategory.Csam, SignalCategory.Trafficking, SignalCategory.Solicitation], members);
    }

    [Fact]
    public void FromBits_round_trips_and_keeps_bits_this_version_does_not_name()
    {
        const uint bits = 0x8000_0085; // Csam, Grooming, Solicitation and category 32.

        var set = CategorySet.FromBits(bits);

        Assert.Equal(bits, set.Bits);
        Assert.True(set.Contains(SignalCategory.Csam));
        Assert.True(set.Contains((SignalCategory)32));
        Assert.Equal(4, set.Count);
        Assert.Equal("{Csam, Grooming, Solicitation, 32}", set.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(-1)]
    public void Values_a_set_cannot_hold_are_never_members_and_cannot_be_added(int value)
    {
        var all = CategorySet.FromBits(uint.MaxValue);

        Assert.False(all.Contains((SignalCategory)value));
        Assert.Throws<ArgumentOutOfRangeException>(() => CategorySet.Empty.Add((SignalCategory)value));
    }

    [Fact]
    public void Add_is_idempotent()
    {
        var once = CategorySet.Empty.Add(SignalCategory.Grooming);

        Assert.Equal(once, once.Add(SignalCategory.Grooming));
        Assert.True(once != CategorySet.Empty);
    }
}
