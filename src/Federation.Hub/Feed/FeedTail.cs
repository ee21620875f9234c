using System.Threading.Channels;
using Federation.Core.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Feed;

/// <summary>
/// The replica's single reader of the feed: follows every partition stream with blocking
/// <c>XREAD</c> on a dedicated connection, fetches the records of each batch once per partition, and
/// hands every entry, built once, to all subscribers of this replica and to in-process observers
/// (the PDQ index).
/// </summary>
/// <remarks>
/// StackExchange.Redis deliberately offers no blocking XREAD on its multiplexer (a blocked socket would stall
/// every other command), so the tail owns a separate multiplexer used for nothing else and issues
/// <c>XREAD COUNT n BLOCK ms STREAMS ...</c> through <c>ExecuteAsync</c>. On a single Redis one command
/// covers all partitions; on Redis Cluster a multi-key XREAD must stay within one slot, so there is one
/// reader (with its own connection) per slot group. Subscribers receive entries through bounded channels
/// the tail only ever <c>TryWrite</c>s: a full channel detaches its subscriber (which catches up from
/// Redis and re-attaches) and never blocks the tail.
/// </remarks>
public sealed class FeedTail : BackgroundService
{
    private const int BatchSize = 512;
    private static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(2);
    // Short: the tail should resume within about a second of Redis answering again (the store-outage promise);
    // a failed read against a Redis that is down costs nothing (FailFast), so retrying often is cheap.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly IConnectionMultiplexer redis;
    private readonly RedisEndpoint endpoint;
    private readonly SignalStore store;
    private readonly FeedLog log;
    private readonly ILogger<FeedTail> logger;
    private readonly HubMetrics metrics;
    private readonly int partitions;
    private readonly Lock gate = new();
    private readonly List<Attachment> attached = [];
    private readonly List<Action<FeedEntry>> observers = [];
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FeedPosition[] vector = [];
    private long dispatched;
    private long overflows;

    public FeedTail(IConnectionMultiplexer redis, RedisEndpoint endpoint, SignalStore store, FeedLog log, IOptions<FederationOptions> options, ILogger<FeedTail> logger, HubMetrics metrics)
    {
        this.redis = redis;
        this.endpoint = endpoint;
        this.store = store;
        this.log = log;
        this.logger = logger;
        partitions = options.Value.Signals.Partitions;
        this.metrics = metrics;
        metrics.ObserveFanOut(QueuedItems, () => { lock (gate) { return attached.Count; } });
    }

    /// <summary>Number of partitions the tail follows.</summary>
    public int PartitionCount => partitions;

    /// <summary>Entries dispatched since start (for statistics and tests).</summary>
    public long DispatchedCount => Interlocked.Read(ref dispatched);

    /// <summary>Times a subscriber overflowed its buffer and was detached to catch up from Redis.</summary>
    public long OverflowCount => Interlocked.Read(ref overflows);

    /// <summary>
    /// Registers <paramref name="observer"/> to receive every feed entry this replica reads, in stream order per
    /// partition, on the tail's thread (keep it short; never block). Returns the position vector after which
    /// the observer receives every entry, so a consumer that loaded state up to that vector loses nothing.
    /// Dispose the result to stop.
    /// </summary>
    public async Task<FeedObservation> ObserveAsync(Action<FeedEntry> observer, CancellationToken cancellationToken)
    {
        await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            observers.Add(observer);
            return new FeedObservation(vector, () =>
            {
                lock (gate)
                {
                    observers.Remove(observer);
                }
            });
        }
    }

    /// <summary>
    /// Attaches a subscriber: from now on every dispatched item is offered to the returned channel, and
    /// <see cref="Attachment.StartVector"/> is the tail's position at that instant (the channel holds
    /// exactly the items after it until it overflows).
    /// </summary>
    internal async Task<Attachment> AttachAsync(int capacity, CancellationToken cancellationToken)
    {
        await ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Unbounded as a channel, bounded by Attachment.Pending: the tail hands over whole batches (one channel
        // operation and at most one wake-up per batch per subscriber) and detaches a subscriber whose backlog
        // reached its capacity, so memory stays within capacity + one batch per subscriber.
        var channel = Channel.CreateUnbounded<FeedItem[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (gate)
        {
            var attachment = new Attachment(channel, vector, capacity);
            attached.Add(attachment);
            return attachment;
        }
    }

    /// <summary>Stops offering items to a subscriber.</summary>
    internal void Detach(Attachment attachment)
    {
        lock (gate)
        {
            attached.Remove(attachment);
        }

        attachment.Channel.Writer.TryComplete();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var start = await RetryAsync(() => log.ReadHeadsAsync(partitions), "reading the feed heads", stoppingToken).ConfigureAwait(false);
        lock (gate)
        {
            vector = start;
        }

        ready.TrySetResult();
        logger.LogInformation("Feed tail following {Partitions} partitions", partitions);

        var groups = GroupBySlot();
        var readers = new Task[groups.Count];
        for (var i = 0; i < groups.Count; i++)
        {
            readers[i] = FollowAsync(groups[i], start, stoppingToken);
        }

        await Task.WhenAll(readers).ConfigureAwait(false);
    }

    // One group on a single Redis; one group per hash slot on a cluster (multi-key XREAD must stay in one slot).
    private List<int[]> GroupBySlot()
    {
        var cluster = redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        if (!cluster)
        {
            return [Enumerable.Range(0, partitions).ToArray()];
        }

        return Enumerable.Range(0, partitions)
            .GroupBy(p => redis.HashSlot(RedisKeys.Feed(p)))
            .Select(g => g.ToArray())
            .ToList();
    }

    private async Task FollowAsync(int[] group, FeedPosition[] start, CancellationToken stoppingToken)
    {
        var config = StoreConnection.Options(endpoint.ConnectionString, "federation-feed-tail");
        // A blocked XREAD holds the socket for BlockTime; leave generous room before calling it a timeout.
        config.AsyncTimeout = (int)(BlockTime + TimeSpan.FromSeconds(10)).TotalMilliseconds;
        config.SyncTimeout = config.AsyncTimeout;
        using var connection = await RetryAsync(() => ConnectionMultiplexer.ConnectAsync(config), "connecting the feed tail", stoppingToken).ConfigureAwait(false);

        var keys = group.Select(p => RedisKeys.Feed(p)).ToArray();
        var partitionOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < group.Length; i++)
        {
            partitionOfKey[keys[i].ToString()] = group[i];
        }

        var last = group.Select(p => start[p]).ToArray();
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var args = new List<object>(5 + (2 * group.Length)) { "COUNT", BatchSize, "BLOCK", (long)BlockTime.TotalMilliseconds, "STREAMS" };
                args.AddRange(keys.Cast<object>());
                args.AddRange(last.Select(id => (object)id.ToString()));
                var reply = await connection.GetDatabase().ExecuteAsync("XREAD", args).WaitAsync(stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(100);
                if (reply.IsNull)
                {
                    continue; // BLOCK timed out: nothing new.
                }

                var batches = new List<FeedEntry[]>();
                foreach (var (key, value) in Streams(reply))
                {
                    var partition = partitionOfKey[key];
                    var raw = (RedisResult[])value!;
                    var entries = new FeedEntry[raw.Length];
                    // XREAD returns every entry after the last id (the tail stays far within MAXLEN), so ordinals count on.
                    var ordinal = last[Array.IndexOf(group, partition)].Ordinal;
                    for (var i = 0; i < raw.Length; i++)
                    {
                        entries[i] = FeedStreamStore.Parse(partition, raw[i], ++ordinal);
                    }

                    if (entries.Length > 0)
                    {
                        batches.Add(entries);
                    }
                }

                // Records once per batch per partition, fetched together, shared by every subscriber.
                var lookups = batches.Select(b => store.GetByStorageKeysAsync(b[0].Partition, b.Select(e => e.StorageKey).ToArray())).ToArray();
                var records = await Task.WhenAll(lookups).ConfigureAwait(false);
                // The whole reply (every partition in it) goes to subscribers as one batch: one channel operation and
                // at most one wake-up and one flush per subscriber per XREAD, however many partitions the reply spans.
                Dispatch(batches, records);
                for (var b = 0; b < batches.Count; b++)
                {
                    var index = Array.IndexOf(group, batches[b][0].Partition);
                    last[index] = batches[b][^1].Id;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
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

    // XREAD answers a map (RESP3: flat key, value, ...) or an array of [key, entries] pairs (RESP2).
    private static IEnumerable<(string Key, RedisResult Entries)> Streams(RedisResult reply)
    {
        var items = (RedisResult[])reply!;
        if (reply.Resp3Type == ResultType.Map)
        {
            for (var i = 0; i + 1 < items.Length; i += 2)
            {
                yield return ((string)items[i]!, items[i + 1]);
            }

            yield break;
        }

        foreach (var stream in items)
        {
            var pair = (RedisResult[])stream!;
            yield return ((string)pair[0]!, pair[1]);
        }
    }

    private void Dispatch(List<FeedEntry[]> batches, SignalRecord?[][] records)
    {
        // Contract objects built outside the lock; positions and cursors inside it, in dispatch order.
        var count = 0;
        var signals = new Federation.Contracts.V1.Signal?[batches.Count][];
        for (var b = 0; b < batches.Count; b++)
        {
            var entries = batches[b];
            count += entries.Length;
            signals[b] = new Federation.Contracts.V1.Signal?[entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                records[b][i] ??= FeedMessages.Gone(entries[i]);
                signals[b][i] = records[b][i]?.ToContract();
            }
        }

        lock (gate)
        {
            var items = new List<FeedItem>(count);
            for (var b = 0; b < batches.Count; b++)
            {
                var entries = batches[b];
                for (var i = 0; i < entries.Length; i++)
                {
                    var entry = entries[i];
                    if (entry.Id <= vector[entry.Partition])
                    {
                        continue; // already dispatched (a retried read)
                    }

                    var next = (FeedPosition[])vector.Clone();
                    next[entry.Partition] = entry.Id;
                    vector = next;
                    items.Add(new FeedItem(entry, records[b][i], signals[b][i], next, FeedCursor.Encode(next)));
                    dispatched++;
                    metrics.FeedDispatched(entry.Id.Milliseconds);

                    foreach (var observer in observers)
                    {
                        try
                        {
                            observer(entry);
                        }
                        catch (Exception e)
                        {
                            logger.LogError(e, "Feed observer failed on entry {Partition}/{Id}", entry.Partition, entry.Id);
                        }
                    }
                }
            }

            if (items.Count == 0)
            {
                return;
            }

            var batch = items.ToArray();
            for (var s = attached.Count - 1; s >= 0; s--)
            {
                var attachment = attached[s];
                if (Volatile.Read(ref attachment.Pending) >= attachment.Capacity || !attachment.Channel.Writer.TryWrite(batch))
                {
                    // Full: detach; the subscriber drains what it has, catches up from Redis and re-attaches.
                    attached.RemoveAt(s);
                    attachment.Channel.Writer.TryComplete();
                    overflows++;
                    continue;
                }

                Interlocked.Add(ref attachment.Pending, batch.Length);
            }
        }
    }

    // Items handed to subscribers and not yet processed by them (the fan-out queue depth gauge).
    private int QueuedItems()
    {
        lock (gate)
        {
            var queued = 0;
            foreach (var attachment in attached)
            {
                queued += Volatile.Read(ref attachment.Pending);
            }

            return queued;
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
            catch (Exception e) when (e is RedisException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Feed tail: {What} failed ({Message}); retrying in {Delay}", what, e.Message, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>A subscriber's channel and the tail position at which it started receiving.</summary>
    internal sealed class Attachment(Channel<FeedItem[]> channel, FeedPosition[] startVector, int capacity)
    {
        /// <summary>Items handed over and not yet processed by the subscriber.</summary>
        public int Pending;

        public Channel<FeedItem[]> Channel { get; } = channel;

        public FeedPosition[] StartVector { get; } = startVector;

        /// <summary>Backlog at which the subscriber is detached.</summary>
        public int Capacity { get; } = capacity;
    }
}
