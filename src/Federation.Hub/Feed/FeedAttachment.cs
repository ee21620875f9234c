using System.Threading.Channels;
using Federation.Core.Feed;

namespace Federation.Hub.Feed;

/// <summary>A subscriber's channel and the tail position at which it started receiving (<see cref="FeedTail.AttachAsync"/>).</summary>
/// <remarks>
/// Unbounded as a channel, bounded by <see cref="Pending"/>: the tail hands over whole batches (one channel operation and
/// at most one wake-up per batch per subscriber) and detaches a subscriber whose backlog reached <see cref="Capacity"/>,
/// so memory stays within capacity + one batch per subscriber.
/// </remarks>
internal sealed class FeedAttachment(FeedPosition[] startVector, int capacity)
{
    /// <summary>Items handed over and not yet processed by the subscriber.</summary>
    public int Pending;

    public Channel<FeedItem[]> Channel { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<FeedItem[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public FeedPosition[] StartVector { get; } = startVector;

    /// <summary>Backlog at which the subscriber is detached.</summary>
    public int Capacity { get; } = capacity;
}
