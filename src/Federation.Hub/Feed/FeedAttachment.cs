using System.Threading.Channels;
using Federation.Core.Feed;

namespace Federation.Hub.Feed;

/// <summary>A subscriber's channel and the tail position at which it started receiving (<see cref="FeedTail.AttachAsync"/>).</summary>
/// <remarks>
/// Unbounded as a channel, bounded by <see cref="Pending"/>: the tail hands over whole batches (one channel operation and
/// at most one wake-up per batch per subscriber) and detaches a subscriber whose backlog reached <see cref="Capacity"/>,
/// so memory stays within capacity + one batch per subscriber.
/// An unbounded channel's queue grows by doubling its segment and never shrinks: a backlog of a few hundred batches
/// during a burst left every subscriber holding a 4 KiB segment for the rest of the stream (measured, docs/feed.md
/// "Memory per stream"). The dispatcher therefore notes when the backlog passed the first segment's size
/// (<see cref="Grown"/>), and the subscriber, once it has drained everything, has it replaced by a fresh channel
/// (<see cref="FeedDispatcher.Renew"/>, under the dispatcher's lock, so no batch is written to the old one meanwhile).
/// </remarks>
internal sealed class FeedAttachment(FeedPosition[] startVector, int capacity)
{
    /// <summary>The size of a new channel's first queue segment (System.Threading.Channels' single-consumer queue).</summary>
    public const int FirstSegmentBatches = 32;

    /// <summary>Items handed over and not yet processed by the subscriber.</summary>
    public int Pending;

    /// <summary>Batches handed over and not yet read by the subscriber.</summary>
    public int Batches;

    /// <summary>Set by the dispatcher when <see cref="Batches"/> passed <see cref="FirstSegmentBatches"/> (the queue grew).</summary>
    public volatile bool Grown;

    /// <summary>The current channel: written by the dispatcher under its lock, replaced only by <see cref="FeedDispatcher.Renew"/>.</summary>
    public Channel<FeedItem[]> Channel { get; private set; } = Create();

    public FeedPosition[] StartVector { get; } = startVector;

    /// <summary>Backlog at which the subscriber is detached.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Replaces the (empty) channel by a fresh one; only under the dispatcher's lock.</summary>
    internal void ReplaceChannel()
    {
        Channel = Create();
        Grown = false;
    }

    private static Channel<FeedItem[]> Create() =>
        System.Threading.Channels.Channel.CreateUnbounded<FeedItem[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
}
