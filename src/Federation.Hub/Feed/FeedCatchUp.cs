using Federation.Core.Feed;
using Federation.Hub.Contract;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// Brings a subscriber that is behind the tail (a CURSOR start, a snapshot's end, or after its buffer overflowed) up to
/// the tail's position by reading the feed streams from Redis, page by page, with this subscriber's own cursors. The
/// tail's shared frames do not apply here: they carry the tail's cursor, not this subscriber's.
/// </summary>
internal sealed class FeedCatchUp(FeedLog log, SignalStore store)
{
    private const int CatchUpPage = 512;

    /// <summary>Reads (position, <paramref name="target"/>] from Redis for every partition that is behind.</summary>
    public async Task RunAsync(FeedSubscriber subscriber, FeedPosition[] target)
    {
        var position = subscriber.Position;
        for (var p = 0; p < target.Length; p++)
        {
            if (position.Vector[p] >= target[p])
            {
                continue;
            }

            while (position.Vector[p] < target[p])
            {
                // Before every page: nothing after the position may have been trimmed (this also keeps ordinals exact).
                if (await log.CheckRetainedAsync(p, position.Vector[p]).ConfigureAwait(false) is { } reason)
                {
                    throw HubErrors.FailedPrecondition($"The subscriber fell behind the retained feed: {reason}. Resubscribe with start SNAPSHOT.");
                }

                var entries = await log.RangeAsync(p, position.Vector[p], target[p], CatchUpPage).ConfigureAwait(false);
                if (entries.Length == 0)
                {
                    break; // the rest was trimmed away; the next attach re-checks retention
                }

                var records = await store.GetByStorageKeysAsync(p, entries.Select(e => e.StorageKey).ToArray()).ConfigureAwait(false);
                for (var i = 0; i < entries.Length; i++)
                {
                    position.Advance(p, entries[i].Id);
                    if ((records[i] ?? FeedMessages.Gone(entries[i])) is { } record && subscriber.Wanted(record, entries[i].Kind))
                    {
                        await subscriber.Stream.SendAsync(FeedMessages.Update(entries[i], record.ToContract(), position.Cursor)).ConfigureAwait(false);
                    }
                }

                await subscriber.Stream.FlushAsync().ConfigureAwait(false);
            }
        }
    }
}
