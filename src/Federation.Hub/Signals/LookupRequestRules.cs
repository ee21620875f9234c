using Federation.Core.Governance;
using Federation.Hub.Domain;

namespace Federation.Hub.Signals;

/// <summary>
/// Whole-request checks of a look-up (its size, its label filter, its consistency tokens), in one place for every
/// interface that calls <see cref="SignalLookupService"/>; the per-query checks live in the service.
/// </summary>
public static class LookupRequestRules
{
    /// <summary>Most consistency tokens one look-up may pass.</summary>
    public const int MaxConsistencyTokens = 100;

    /// <summary>Throws the domain refusal (INVALID_ARGUMENT) naming the first field that is wrong.</summary>
    /// <exception cref="HubException">The look-up is empty, too large, filters by impossible bounds or passes too many tokens.</exception>
    public static void Validate(int queryCount, int tokenCount, uint minConfidence, int maxShareLevel, int maxBatchSize)
    {
        if (queryCount == 0)
        {
            throw HubErrors.InvalidArgument("queries", "batch.empty: the look-up holds no queries; send at least one");
        }

        if (queryCount > maxBatchSize)
        {
            throw HubErrors.InvalidArgument("queries", $"batch.size: a look-up holds at most {maxBatchSize:N0} queries; got {queryCount:N0}; split it");
        }

        if (ContributionLabels.ValidateBounds(minConfidence, maxShareLevel, out var field) is { } wrong)
        {
            throw HubErrors.InvalidArgument(field, wrong);
        }

        if (tokenCount > MaxConsistencyTokens)
        {
            throw HubErrors.InvalidArgument("consistency_tokens", $"at most {MaxConsistencyTokens} tokens per look-up; got {tokenCount}. Pass the tokens of the submissions you need to see, or look up in several calls");
        }
    }
}
