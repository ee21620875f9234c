using Federation.Core.Signals;

namespace Federation.Hub.Storage;

/// <summary>
/// One deduplicated signal record as read from Redis (contract with the Feed side: see
/// docs/storage-feed-contract.md). Times have one-second resolution, as stored.
/// </summary>
public sealed record SignalRecord(
    NormalizedSignal Signal,
    string SharingGroup,
    CategorySet Categories,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    int CorroborationCount,
    int Confirmed,
    int Disputed,
    int FalsePositive,
    SignalState State,
    long Version,
    DateTimeOffset? ExpiresAt,
    int Quality)
{
    /// <summary>Whether a member in <paramref name="groups"/> may see this record.</summary>
    public bool IsVisibleTo(IReadOnlyList<string> groups) =>
        SharingGroup.Length == 0 || groups.Contains(SharingGroup, StringComparer.Ordinal);
}
