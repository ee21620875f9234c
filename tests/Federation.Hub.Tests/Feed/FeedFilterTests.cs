using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Domain;
using Federation.Hub.Feed;
using Federation.Hub.Storage;

namespace Federation.Hub.Tests.Feed;

/// <summary>The compiled subscriber filter.</summary>
public sealed class FeedFilterTests
{
    private static readonly SubscribeFilter Strict = new() { Types_ = { SignalType.Sha256 }, Categories = { Category.Grooming }, MinCorroboration = 2 };

    [Fact]
    public void Empty_filter_matches_everything()
    {
        var filter = FeedFilter.From(null);

        Assert.True(filter.Matches(Record(SignalKind.Md5, CategorySet.Of(SignalCategory.Csam), 1), UpdateKind.Created));
    }

    [Theory]
    [InlineData(SignalKind.Sha256, SignalCategory.Grooming, 2, true)]
    [InlineData(SignalKind.Md5, SignalCategory.Grooming, 2, false)]
    [InlineData(SignalKind.Sha256, SignalCategory.Csam, 2, false)]
    [InlineData(SignalKind.Sha256, SignalCategory.Grooming, 1, false)]
    public void Type_category_and_corroboration_must_all_match(SignalKind kind, SignalCategory category, int corroboration, bool expected)
    {
        var filter = FeedFilter.From(Strict);

        Assert.Equal(expected, filter.Matches(Record(kind, CategorySet.Of(category), corroboration), UpdateKind.Corroborated));
    }

    [Theory]
    [InlineData(UpdateKind.Retracted)]
    [InlineData(UpdateKind.Expired)]
    [InlineData(UpdateKind.ContributionWithdrawn)]
    public void Removals_pass_category_and_corroboration_but_not_type(UpdateKind kind)
    {
        var filter = FeedFilter.From(Strict);

        Assert.True(filter.Matches(Record(SignalKind.Sha256, CategorySet.Empty, 0), kind));
        Assert.False(filter.Matches(Record(SignalKind.Md5, CategorySet.Empty, 0), kind));
    }

    [Fact]
    public void Unknown_enum_values_are_invalid_argument()
    {
        var error = Assert.Throws<HubException>(() => FeedFilter.From(new SubscribeFilter { Categories = { (Category)99 } }));

        Assert.Equal(HubErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("filter.categories[0]", error.Field);
    }

    private static SignalRecord Record(SignalKind kind, CategorySet categories, int corroboration)
    {
        var raw = new byte[kind == SignalKind.Md5 ? 16 : 32];
        raw[0] = 7;
        return new SignalRecord(NormalizedSignal.FromRaw(kind, raw), "", categories, default, default, corroboration, 0, 0, 0,
            corroboration == 0 ? SignalState.Retracted : SignalState.Active, 1, null, 0);
    }
}
