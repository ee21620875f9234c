using Federation.Contracts.V1;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// One Subscribe call's state, handed to each step (<see cref="FeedSnapshot"/>, <see cref="FeedCatchUp"/>,
/// <see cref="FeedLiveFollower"/>): who reads (the session, whose member record changes while the stream is open), what
/// it asked for (the filter), where it is (<see cref="Position"/>) and where messages go (<see cref="Stream"/>).
/// </summary>
internal sealed class FeedSubscriber(FeedSession session, FeedFilter filter, SubscriberStream stream)
{
    public FeedSession Session { get; } = session;

    public SubscriberPosition Position { get; } = new();

    public SubscriberStream Stream { get; } = stream;

    /// <summary>Ends with the call, or when the access monitor ends the stream.</summary>
    public CancellationToken Token => Session.Token;

    /// <summary>
    /// Whether an update of <paramref name="kind"/> about <paramref name="record"/> goes to this subscriber: visible to its
    /// member, matching its filter, and not held back by quarantine (a quarantined record's one QUARANTINED update goes
    /// out; its other updates wait for RELEASED, docs/governance.md).
    /// </summary>
    public bool Wanted(SignalRecord record, UpdateKind kind) =>
        record.IsVisibleTo(Session.Member.Groups) && filter.Matches(record, kind) && (!record.Quarantined || kind == UpdateKind.Quarantined);
}
