using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Core.Vpdq;

namespace Federation.Hub.Storage;

/// <summary>
/// One deduplicated signal record as read from Redis (contract with the Feed side: see
/// docs/storage-feed-contract.md). Times have one-second resolution, as stored. <see cref="Confidence"/> is the highest
/// confidence of the active contributions (null: none stated); <see cref="ShareLevel"/> the least restrictive TLP level
/// (never Unspecified: an unstated level is GREEN).
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
    int Quality,
    int? Confidence = null,
    TlpLevel ShareLevel = TlpLevel.Green)
{
    /// <summary>VPDQ records: the video's stored frames (read from their side key with the record); null for other types.</summary>
    public VpdqFrameSet? Video { get; init; }

    /// <summary>
    /// Withheld pending review (docs/governance.md): an ACTIVE record whose disputes or match rate passed the policy, or
    /// that administrators quarantined. Seen only by its contributors and administrators; the contract status is QUARANTINED.
    /// </summary>
    public bool Quarantined { get; init; }

    /// <summary>Whether the record is active and not quarantined: what the feed, snapshots and look-ups give every member.</summary>
    public bool IsCirculating => State == SignalState.Active && !Quarantined;

    /// <summary>Whether a member in <paramref name="groups"/> may see this record.</summary>
    public bool IsVisibleTo(IReadOnlyList<string> groups) =>
        SharingGroup.Length == 0 || groups.Contains(SharingGroup, StringComparer.Ordinal);
}
