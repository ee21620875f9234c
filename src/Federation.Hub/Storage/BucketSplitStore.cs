using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The Redis side of the bucket splitter (linear hashing, docs/signals.md "Buckets that follow the data"): how full a
/// partition's buckets are, the split of one bucket (bucket_split.lua), and the lease that lets one replica split.
/// </summary>
public sealed class BucketSplitStore(IConnectionMultiplexer redis, SignalStore signals)
{
    private static readonly string SplitScript = LuaScripts.Load("bucket_split.lua");

    /// <summary>Buckets sampled per estimate: the mean of 64 bucket lengths is within a few percent of the average fill.</summary>
    public const int Samples = 64;

    private readonly BucketLayout layout = signals.Layout;

    /// <summary>
    /// Takes <see cref="RedisKeys.SplitLease"/> for <paramref name="replica"/>, or extends it when this replica holds it:
    /// true when this replica splits this round. The lease expires by itself after <paramref name="ttl"/>.
    /// </summary>
    public async Task<bool> TryTakeLeaseAsync(string replica, TimeSpan ttl)
    {
        var db = redis.GetDatabase();
        if (await db.StringSetAsync(RedisKeys.SplitLease, replica, ttl, When.NotExists).ConfigureAwait(false))
        {
            return true;
        }

        // (Compare and extend need not be atomic: the worst is two splitters for one round, and each split checks the
        // layout it was given, so a race only makes one of them skip a bucket.)
        return await db.StringGetAsync(RedisKeys.SplitLease).ConfigureAwait(false) == replica
            && await db.KeyExpireAsync(RedisKeys.SplitLease, ttl).ConfigureAwait(false);
    }

    /// <summary>
    /// The partition's layout and an estimate of its records: the mean length of <see cref="Samples"/> buckets picked at
    /// random among its n + s, times n + s. No counter to keep right through submissions, purges and upgrades.
    /// </summary>
    public async Task<(int N, int S, long Records)> EstimateAsync(int partition, Random random)
    {
        var db = redis.GetDatabase();
        var (n, s) = await layout.ReadAsync(db, partition).ConfigureAwait(false);
        var buckets = n + s;
        var lengths = new Task<long>[Math.Min(Samples, buckets)];
        for (var i = 0; i < lengths.Length; i++)
        {
            lengths[i] = db.HashLengthAsync(layout.Bucket(partition, lengths.Length == buckets ? i : random.Next(buckets)));
        }

        long sum = 0;
        foreach (var length in lengths)
        {
            sum += await length.ConfigureAwait(false);
        }

        return (n, s, sum * buckets / Math.Max(1, lengths.Length));
    }

    /// <summary>
    /// Splits bucket <paramref name="s"/> of the partition whose layout the caller read as (<paramref name="n"/>,
    /// <paramref name="s"/>); returns the layout after it and the records moved (-1: the layout was another, nothing done).
    /// </summary>
    public async Task<(int N, int S, int Moved)> SplitAsync(int partition, int n, int s)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            SplitScript,
            [layout.LayoutKey(partition), layout.Bucket(partition, s), layout.Bucket(partition, n + s)],
            [n, s, layout.InitialBuckets]).ConfigureAwait(false))!;
        var (after, pointer, moved) = ((int)result[0], (int)result[1], (int)result[2]);
        layout.Observe(partition, after);
        return (after, pointer, moved);
    }
}
