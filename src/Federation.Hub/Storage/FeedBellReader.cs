using Federation.Core.Feed;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The feed tail's reader on Redis Cluster: waits for a partition's <see cref="FeedBell"/> (or for the periodic sweep),
/// then reads the rung slots with non-blocking <c>XREAD</c>s on the shared multiplexer, so following every partition
/// takes no connection of its own (the shared one already reaches every master, and its subscription socket receives
/// the bells).
/// </summary>
/// <remarks>
/// Bells are hints. Every <see cref="FeedStreamReader.BlockTime"/> the reader sweeps every slot whether or not it rang,
/// so a lost bell delays entries by at most that long; the stream, read by id, is what counts. A read that came back
/// full rings its slot again at once, so a backlog is drained without waiting.
/// </remarks>
internal sealed class FeedBellReader : FeedTailReader
{
    private readonly ISubscriber subscriber;
    private readonly FeedGroupReader[] slots;
    private readonly FeedGroupReader[] slotOfPartition;
    private readonly Action<RedisChannel, RedisValue> onBell;
    private readonly Lock gate = new();
    private readonly HashSet<FeedGroupReader> rung = [];
    private TaskCompletionSource bell = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long lastSweep;

    private FeedBellReader(IConnectionMultiplexer redis, FeedGroupReader[] slots, int partitions)
    {
        subscriber = redis.GetSubscriber();
        this.slots = slots;
        Partitions = Enumerable.Range(0, partitions).ToArray();
        slotOfPartition = new FeedGroupReader[partitions];
        foreach (var slot in slots)
        {
            foreach (var partition in slot.Partitions)
            {
                slotOfPartition[partition] = slot;
            }
        }

        onBell = (_, value) =>
        {
            if (value.TryParse(out int partition) && (uint)partition < (uint)slotOfPartition.Length)
            {
                Ring(slotOfPartition[partition]);
            }
        };
    }

    /// <inheritdoc/>
    public override int[] Partitions { get; }

    /// <summary>Subscribes to every partition's bell; the first read sweeps every slot (entries may predate the subscription).</summary>
    public static async Task<FeedBellReader> StartAsync(IConnectionMultiplexer redis, int partitions)
    {
        var slots = Enumerable.Range(0, partitions)
            .GroupBy(p => redis.HashSlot(RedisKeys.Feed(p)))
            .Select(g => new FeedGroupReader(redis, g.ToArray(), block: null, ownsConnection: false))
            .ToArray();
        var reader = new FeedBellReader(redis, slots, partitions);
        try
        {
            for (var p = 0; p < partitions; p++)
            {
                await reader.subscriber.SubscribeAsync(FeedBell.Channel(p), reader.onBell).ConfigureAwait(false);
            }
        }
        catch
        {
            reader.Dispose();
            throw;
        }

        return reader;
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="after"/> is indexed by partition (<see cref="Partitions"/> is 0..n-1).</remarks>
    public override async Task<List<FeedEntry[]>> ReadAsync(FeedPosition[] after, CancellationToken cancellationToken)
    {
        var due = await DueAsync(cancellationToken).ConfigureAwait(false);
        var reads = due.Select(slot => slot.ReadAsync(slot.Partitions.Select(p => after[p]).ToArray(), cancellationToken)).ToArray();
        List<FeedEntry[]>[] results;
        try
        {
            results = await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch
        {
            // The caller reads the same positions again after its back-off; keep those slots due rather than waiting for the sweep.
            foreach (var slot in due)
            {
                Ring(slot);
            }

            throw;
        }

        var batches = new List<FeedEntry[]>();
        for (var i = 0; i < due.Length; i++)
        {
            if (results[i].Any(b => b.Length == FeedGroupReader.BatchSize))
            {
                Ring(due[i]); // more is waiting: read it next time round without waiting for a bell
            }

            batches.AddRange(results[i]);
        }

        return batches;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            for (var p = 0; p < slotOfPartition.Length; p++)
            {
                subscriber.Unsubscribe(FeedBell.Channel(p), onBell, CommandFlags.FireAndForget);
            }
        }
    }

    private void Ring(FeedGroupReader slot)
    {
        lock (gate)
        {
            rung.Add(slot);
            bell.TrySetResult();
        }
    }

    /// <summary>The slots to read now: those that rang, or every slot when the sweep is due; waits for either.</summary>
    private async Task<FeedGroupReader[]> DueAsync(CancellationToken cancellationToken)
    {
        Task wait;
        TimeSpan untilSweep;
        lock (gate)
        {
            untilSweep = FeedStreamReader.BlockTime - TimeProvider.System.GetElapsedTime(lastSweep);
            wait = rung.Count > 0 || untilSweep <= TimeSpan.Zero ? Task.CompletedTask : bell.Task;
        }

        try
        {
            await wait.WaitAsync(untilSweep > TimeSpan.Zero ? untilSweep : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The sweep is due.
        }

        lock (gate)
        {
            FeedGroupReader[] due;
            if (TimeProvider.System.GetElapsedTime(lastSweep) >= FeedStreamReader.BlockTime)
            {
                due = slots;
                lastSweep = TimeProvider.System.GetTimestamp();
            }
            else
            {
                due = [.. rung];
            }

            rung.Clear();
            if (bell.Task.IsCompleted)
            {
                bell = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return due;
        }
    }
}
