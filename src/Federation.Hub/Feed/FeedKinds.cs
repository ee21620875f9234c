using Federation.Contracts.V1;

namespace Federation.Hub.Feed;

/// <summary>What feed entry kinds mean for a record, in one place for the feed, its filters and the per-replica indexes.</summary>
public static class FeedKinds
{
    /// <summary>The record is gone for every member: retracted, expired or overturned (drop it, take it out of the indexes).</summary>
    public static bool EndsRecord(UpdateKind kind) => kind is UpdateKind.Retracted or UpdateKind.Expired or UpdateKind.Overturned;

    /// <summary>
    /// Updates every subscriber holding the record must hear whatever its filter's category, corroboration and label
    /// bounds: the record has less than the update that made the client keep it, or is withheld or gone.
    /// </summary>
    public static bool PassesEveryBound(UpdateKind kind) => EndsRecord(kind) || kind is UpdateKind.ContributionWithdrawn or UpdateKind.Quarantined;
}
