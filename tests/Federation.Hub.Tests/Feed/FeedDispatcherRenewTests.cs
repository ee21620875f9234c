using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Feed;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Federation.Hub.Tests.Feed;

/// <summary>
/// A subscriber whose channel's queue grew during a backlog gets a fresh channel once it has read everything, and
/// misses nothing across the replacement; one with something unread, or detached, keeps its channel.
/// </summary>
public sealed class FeedDispatcherRenewTests
{
    [Fact]
    public void A_drained_subscriber_after_a_backlog_gets_a_fresh_channel_and_misses_nothing()
    {
        using var metrics = new HubMetrics();
        var dispatcher = new FeedDispatcher(NullLogger.Instance, metrics);
        dispatcher.Start([new FeedPosition(0, 0)]);
        var attachment = dispatcher.Attach(4096);
        var backlog = FeedAttachment.FirstSegmentBatches + 8;
        for (var i = 1; i <= backlog; i++)
        {
            Dispatch(dispatcher, i);
        }

        Assert.True(attachment.Grown);
        Assert.False(dispatcher.Renew(attachment)); // batches unread: the channel stays

        var old = attachment.Channel;
        var read = Drain(attachment);
        Assert.True(dispatcher.Renew(attachment));

        Assert.NotSame(old, attachment.Channel);
        Assert.False(attachment.Grown);
        Dispatch(dispatcher, backlog + 1);
        read.AddRange(Drain(attachment));
        Assert.Equal(Enumerable.Range(1, backlog + 1).Select(i => (ulong)i), read);
        Assert.False(old.Reader.TryPeek(out _));
    }

    [Fact]
    public void A_detached_subscriber_keeps_its_completed_channel()
    {
        using var metrics = new HubMetrics();
        var dispatcher = new FeedDispatcher(NullLogger.Instance, metrics);
        dispatcher.Start([new FeedPosition(0, 0)]);
        var attachment = dispatcher.Attach(4096);
        for (var i = 1; i <= FeedAttachment.FirstSegmentBatches + 1; i++)
        {
            Dispatch(dispatcher, i);
        }

        Drain(attachment);
        dispatcher.Detach(attachment);

        Assert.False(dispatcher.Renew(attachment));
        Assert.True(attachment.Channel.Reader.Completion.IsCompleted);
    }

    private static void Dispatch(FeedDispatcher dispatcher, int id) =>
        dispatcher.Dispatch([[new FeedEntry(0, new FeedPosition((ulong)id, 0, (ulong)id), [], UpdateKind.Created, 1)]], [[null]]);

    // As the live follower reads: every batch, counting it off.
    private static List<ulong> Drain(FeedAttachment attachment)
    {
        var ids = new List<ulong>();
        while (attachment.Channel.Reader.TryRead(out var batch))
        {
            Interlocked.Decrement(ref attachment.Batches);
            ids.AddRange(batch.Select(item => item.Entry.Id.Milliseconds));
        }

        return ids;
    }
}
