using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

public sealed class CategoryValidationTests
{
    [Fact]
    public void No_category_is_rejected()
    {
        var accepted = CategoryValidation.TryCreate(ReadOnlySpan<int>.Empty, out var set, out var error);

        Assert.False(accepted);
        Assert.True(set.IsEmpty);
        Assert.Equal(SignalValidationRule.CategoriesEmpty, error!.Rule);
        Assert.Equal("categories", error.Field);
        Assert.StartsWith("at least one category is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 9 }, 9, 0)]
    [InlineData(new[] { 1, 42 }, 42, 1)]
    [InlineData(new[] { 1, 2, -1 }, -1, 2)]
    public void Unknown_category_is_rejected_naming_it_and_its_position(int[] values, int unknown, int position)
    {
        var accepted = CategoryValidation.TryCreate(values, out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.CategoriesUnknown, error!.Rule);
        Assert.StartsWith($"category {unknown} (at position {position}) is not known to this hub; use one of CSAM,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unspecified_category_is_rejected()
    {
        var accepted = CategoryValidation.TryCreate([1, 0], out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.CategoriesUnknown, error!.Rule);
        Assert.StartsWith("category at position 1 is UNSPECIFIED", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 1, 1 }, 0x01u)]
    [InlineData(new[] { 3, 1, 3, 3 }, 0x05u)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 0xFFu)]
    public void Known_categories_are_accepted_and_duplicates_ignored(int[] values, uint bits)
    {
        var accepted = CategoryValidation.TryCreate(values, out var set, out var error);

        Assert.True(accepted, error?.ToString());
        Assert.Equal(bits, set.Bits);
    }

    [Fact]
    public void A_list_of_an_int_backed_enum_is_validated_without_conversion()
    {
        IReadOnlyList<SignalCategory> values = [SignalCategory.Grooming, SignalCategory.Sextortion, SignalCategory.Grooming];

        var accepted = CategoryValidation.TryCreate(values, out var set, out _);

        Assert.True(accepted);
        Assert.Equal(CategorySet.Of(SignalCategory.Grooming, SignalCategory.Sextortion), set);
    }

    [Fact]
    public void An_empty_enum_list_is_rejected()
    {
        var accepted = CategoryValidation.TryCreate(new List<SignalCategory>(), out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.CategoriesEmpty, error!.Rule);
    }

    private enum ByteEnum : byte
    {
        One = 1,
    }

    [Fact]
    public void An_enum_that_is_not_int_backed_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => CategoryValidation.TryCreate(new[] { ByteEnum.One }, out _, out _));
    }
}
