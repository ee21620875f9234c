using Federation.Core.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Feed;

/// <summary>
/// The replica's single reader of the feed: follows every partition stream through one
/// <see cref="FeedTailReader"/> (<see cref="FeedStreamReader"/>), fetches the records of each batch once per partition, and hands every entry,
/// built once, to all subscribers of this replica and to in-process observers (the PDQ index) through its
/// <see cref="FeedDispatcher"/>.
/// </summary>
/// <remarks>
/// On a single Redis one blocking read covers all partitions; on Redis Cluster the reader waits for bells and reads the
/// slots that rang (<see cref="FeedBellReader"/>, no connection of its own). This class
/// owns the reading loop's policy (start at the heads, resume after the last dispatched ids, back off while Redis is
/// away); how entries are read is Storage/'s, who receives them is the dispatcher's.
/// </remarks>
public sealed class FeedTail : BackgroundService
{
    // Short: the tail should resume within about a second of Redis answering again (the store-outage promise);
    // a failed read against a Redis that is down costs nothing (FailFast), so retrying often is cheap.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly FeedStreamReader streams;
    private readonly SignalStore store;
    private readonly FeedLog log;
    private readonly ILogger<FeedTail> logger;
    private readonly HubMetrics metrics;
    private readonly int partitions;
    private readonly FeedDispatcher dispatcher;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FeedTail(FeedStreamReader streams, SignalStore store, FeedLog log, IOptions<FederationOptions> options, ILogger<FeedTail> logger, HubMetrics metrics)
    {
        this.streams = streams;
        this.store = store;
        this.log = log;
        this.logger = logger;
        partitions = options.Value.Signals.Partitions;
        this.metrics = metrics;
        dispatcher = new FeedDispatcher(logger, metrics);
    }

    /// <summary>Number of partitions the tail follows.</summary>
    public int PartitionCount => partitions;

    /// <summary>Entries dispatched since start (for statistics and tests).</summary>
    public long DispatchedCount => dispatcher.DispatchedCount;

    /// <summary>Times a subscriber overflowed its buffer and was detached to catch up from Redis.</summary>
    public long OverflowCount => dispatcher.OverflowCount;

    /// <summary>
    /// Registers <paramref name="observer"/> to receive every feed entry this replica reads, in stream order per
    /// partition, on the tail's thread (keep it short; never block). Returns the position vector after which
    /// the observer receives every entry, so a consumer that loaded state up to that vector loses nothing.
    /// Dispose the result to stop.
    /// </summary>
    public async Task<FeedObservation> ObserveAsync(Action<FeedEntry> observer, CancellationToken cancellationToken)
    {
        await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return dispatcher.Observe(observer);
    }

    /// <summary>
    /// Attaches a subscriber: from now on every dispatched item is offered to the returned channel, and
    /// <see cref="FeedAttachment.StartVector"/> is the tail's position at that instant (the channel holds
    /// exactly the items after it until it overflows).
    /// </summary>
    internal async Task<FeedAttachment> AttachAsync(int capacity, CancellationToken cancellationToken)
    {
        await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return dispatcher.Attach(capacity);
    }

    /// <summary>Stops offering items to a subscriber.</summary>
    internal void Detach(FeedAttachment attachment) => dispatcher.Detach(attachment);

    /// <summary>Replaces a drained subscriber's grown channel (<see cref="FeedDispatcher.Renew"/>).</summary>
    internal bool Renew(FeedAttachment attachment) => dispatcher.Renew(attachment);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var start = await RetryAsync(() => log.ReadHeadsAsync(partitions), "reading the feed heads", stoppingToken).ConfigureAwait(false);
        dispatcher.Start(start);
        ready.TrySetResult();
        logger.LogInformation("Feed tail following {Partitions} partitions", partitions);

        await FollowAsync(start, stoppingToken).ConfigureAwait(false);
    }

    private async Task FollowAsync(FeedPosition[] start, CancellationToken stoppingToken)
    {
        using var reader = await RetryAsync(() => streams.ConnectAsync(partitions), "connecting the feed tail", stoppingToken).ConfigureAwait(false);
        var last = reader.Partitions.Select(p => start[p]).ToArray();
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batches = await reader.ReadAsync(last, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(100);
                if (batches.Count == 0)
                {
                    continue; // nothing new within the reader's wait
                }

                // Records once per batch per partition, fetched together, shared by every subscriber; none when nobody
                // subscribes (a bulk load's record reads then do not compete with the members' own Redis commands).
                if (dispatcher.TryAdvanceUnsubscribed(batches))
                {
                    AdvanceLast(reader, last, batches);
                    continue;
                }

                var lookups = batches.Select(b => store.GetByStorageKeysAsync(b[0].Partition, b.Select(e => e.StorageKey).ToArray())).ToArray();
                var records = await Task.WhenAll(lookups).ConfigureAwait(false);
                dispatcher.Dispatch(batches, records);
                AdvanceLast(reader, last, batches);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (StoreFailures.IsStoreError(e) || e is ObjectDisposedException)
            {
                // Redis restart or failover: keep the last ids and resume exactly after them.
                metrics.StoreFailed("feed_tail");
                logger.LogWarning("Feed tail read failed ({Message}); retrying in {Delay}", e.Message, backoff);
                try
                {
                    await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private static void AdvanceLast(FeedTailReader reader, FeedPosition[] last, List<FeedEntry[]> batches)
    {
        for (var b = 0; b < batches.Count; b++)
        {
            var index = Array.IndexOf(reader.Partitions, batches[b][0].Partition);
            last[index] = batches[b][^1].Id;
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, string what, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (Exception e) when (StoreFailures.IsStoreError(e) && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Feed tail: {What} failed ({Message}); retrying in {Delay}", what, e.Message, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
