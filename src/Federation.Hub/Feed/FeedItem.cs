using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// One feed entry as the replica's tail dispatched it: built once and shared, read-only, by every
/// subscriber of the replica.
/// </summary>
internal sealed class FeedItem(FeedEntry entry, SignalRecord? record, Signal? signal, FeedPosition[] vector, string cursor)
{
    /// <summary>The stream entry.</summary>
    public FeedEntry Entry { get; } = entry;

    /// <summary>The record as read right after the entry; null when it no longer exists.</summary>
    public SignalRecord? Record { get; } = record;

    /// <summary>The tail's position vector once this entry is applied; never mutated.</summary>
    public FeedPosition[] Vector { get; } = vector;

    /// <summary><see cref="Vector"/> encoded, shared by every subscriber that is in step with the tail.</summary>
    public string Cursor { get; } = cursor;

    /// <summary>The message for subscribers in step with the tail (caller-specific fields unset).</summary>
    public SubscribeResponse? Response { get; } = signal is null ? null : FeedMessages.Update(entry, signal, cursor);

    /// <summary>The contract form of <see cref="Record"/>, shared.</summary>
    public Signal? Signal { get; } = signal;
}
