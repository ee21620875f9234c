namespace Federation.Hub.Storage;

/// <summary>What an opinion or retraction script did.</summary>
public enum SignalChangeCode
{
    /// <summary>The change was applied.</summary>
    Changed,

    /// <summary>Nothing to change (the member already held this opinion).</summary>
    Unchanged,

    /// <summary>No record with that storage key.</summary>
    NotFound,

    /// <summary>The record is retracted or expired.</summary>
    NotActive,

    /// <summary>The member does not contribute to the record.</summary>
    NotContributor,
}

/// <summary>
/// The outcome of an opinion, retraction or governance change, with the record after it (null when not found) and, for
/// opinions, the feed entry kind it wrote (OPINION_CHANGED, or QUARANTINED / OVERTURNED when the policy acted; 0 none).
/// </summary>
public sealed record SignalChange(SignalChangeCode Code, SignalRecord? Record, bool ContributedByCaller, int FeedKind = 0);
