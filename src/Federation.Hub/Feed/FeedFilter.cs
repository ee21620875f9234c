using Federation.Contracts.V1;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// A subscriber's <see cref="SubscribeFilter"/>, compiled to bit tests so it costs a few
/// instructions per update.
/// </summary>
/// <remarks>
/// Updates that take a signal away (CONTRIBUTION_WITHDRAWN, RETRACTED, EXPIRED, OVERTURNED) or withhold it
/// (QUARANTINED) pass the category and corroboration tests: a withdrawn or retracted record has fewer categories and
/// contributors than the update that made the client keep it, and the client must still hear that it is gone.
/// </remarks>
internal sealed class FeedFilter
{
    private readonly ulong types;
    private readonly uint categories;
    private readonly int minCorroboration;
    private readonly int minConfidence;
    private readonly TlpLevel maxShareLevel;

    private FeedFilter(ulong types, uint categories, int minCorroboration, int minConfidence = 0, TlpLevel maxShareLevel = TlpLevel.Unspecified)
    {
        this.types = types;
        this.categories = categories;
        this.minCorroboration = minCorroboration;
        this.minConfidence = minConfidence;
        this.maxShareLevel = maxShareLevel;
    }

    /// <summary>Compiles a filter; unknown enum values are INVALID_ARGUMENT.</summary>
    public static FeedFilter From(SubscribeFilter? filter)
    {
        if (filter is null)
        {
            return new FeedFilter(0, 0, 0);
        }

        ulong types = 0;
        for (var i = 0; i < filter.Types_.Count; i++)
        {
            var type = (int)filter.Types_[i];
            if (type is <= 0 or >= 64 || !System.Enum.IsDefined(filter.Types_[i]))
            {
                throw HubErrors.InvalidArgument($"filter.types[{i}]", $"{filter.Types_[i]} is not a signal type.");
            }

            types |= 1UL << type;
        }

        uint categories = 0;
        for (var i = 0; i < filter.Categories.Count; i++)
        {
            var category = (int)filter.Categories[i];
            if (category is <= 0 or > CategorySet.MaxCategoryValue || !System.Enum.IsDefined(filter.Categories[i]))
            {
                throw HubErrors.InvalidArgument($"filter.categories[{i}]", $"{filter.Categories[i]} is not a category.");
            }

            categories |= CategorySet.Of((SignalCategory)category).Bits;
        }

        if (ContributionLabels.ValidateBounds(filter.MinConfidence, (int)filter.MaxShareLevel, out var field) is { } wrong)
        {
            throw HubErrors.InvalidArgument($"filter.{field}", wrong);
        }

        return new FeedFilter(types, categories, (int)Math.Min(filter.MinCorroboration, int.MaxValue), (int)filter.MinConfidence, (TlpLevel)filter.MaxShareLevel);
    }

    /// <summary>Whether an update of <paramref name="kind"/> about <paramref name="record"/> is wanted.</summary>
    public bool Matches(SignalRecord record, UpdateKind kind)
    {
        if (types != 0 && (types & (1UL << (int)record.Signal.Kind)) == 0)
        {
            return false;
        }

        if (FeedKinds.PassesEveryBound(kind))
        {
            return true;
        }

        return (categories == 0 || (record.Categories.Bits & categories) != 0)
            && record.CorroborationCount >= minCorroboration
            && ContributionLabels.Passes(record.Confidence, record.ShareLevel, minConfidence, maxShareLevel);
    }
}
