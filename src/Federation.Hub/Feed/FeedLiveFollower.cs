namespace Federation.Hub.Feed;

/// <summary>
/// The live part of a Subscribe: drains the subscriber's channel from the shared tail until the tail closes it (the
/// subscriber overflowed its buffer), sends each wanted update, and heartbeats when idle. In step with the tail it
/// copies the frame the tail serialized once; otherwise it sends the same signal with this subscriber's cursor.
/// </summary>
internal sealed class FeedLiveFollower(Func<FeedAttachment, bool> renew)
{
    /// <summary>Returns when the tail completed the channel (overflow); the caller catches up and re-attaches.</summary>
    public async Task RunAsync(FeedSubscriber subscriber, FeedAttachment attachment)
    {
        var stream = subscriber.Stream;
        var token = subscriber.Token;
        // One idle timer per heartbeat period, not one per wake-up: it is armed for the time left until a
        // heartbeat would be due and only replaced once it has fired (then the loop re-checks the last write).
        CancellationTokenSource? idle = null;
        try
        {
            while (true)
            {
                var reader = attachment.Channel.Reader;
                while (reader.TryRead(out var batch))
                {
                    Interlocked.Decrement(ref attachment.Batches);
                    foreach (var item in batch)
                    {
                        await ApplyAsync(subscriber, item).ConfigureAwait(false);
                    }

                    Interlocked.Add(ref attachment.Pending, -batch.Length);
                }

                // Drained after a backlog that grew the channel's queue: a fresh channel, so an idle stream does not
                // keep the burst's queue segment (FeedAttachment).
                if (attachment.Grown && renew(attachment))
                {
                    reader = attachment.Channel.Reader;
                }

                await stream.FlushAsync().ConfigureAwait(false);
                var wait = stream.UntilHeartbeat;
                if (wait <= TimeSpan.Zero)
                {
                    await stream.HeartbeatAsync(subscriber.Position.Cursor).ConfigureAwait(false);
                    continue;
                }

                if (idle is null || idle.IsCancellationRequested)
                {
                    idle?.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                    idle.CancelAfter(wait);
                }

                try
                {
                    if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                    {
                        return; // overflowed: the tail completed the channel
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    // The idle timer fired; the loop sends a heartbeat if one is due.
                }
            }
        }
        finally
        {
            idle?.Dispose();
        }
    }

    private static async Task ApplyAsync(FeedSubscriber subscriber, FeedItem item)
    {
        var position = subscriber.Position;
        if (!position.Follow(item))
        {
            return; // delivered already (the cursor or the catch-up was ahead of the tail)
        }

        if (item.Record is { } record && subscriber.Wanted(record, item.Entry.Kind))
        {
            // In step: the frame serialized once by the tail. Otherwise the same signal with this subscriber's cursor.
            if (position.InStep && subscriber.Stream.SharesFrames)
            {
                await subscriber.Stream.SendFrameAsync(item.Frame!).ConfigureAwait(false);
            }
            else
            {
                await subscriber.Stream.SendAsync(FeedMessages.Update(item.Entry, item.Signal!, position.Cursor)).ConfigureAwait(false);
            }
        }
    }
}
