using System.Globalization;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// A replica's view of each partition's bucket layout (linear hashing, docs/signals.md "Buckets that follow the data"):
/// the low modulus n it assumes, and the bucket keys. A record's bucket is h mod n, or h mod 2n once the splitter has
/// passed h mod n (<see cref="SignalStorageKey.Hash"/>); the split pointer is never cached, because every script is
/// given both candidates and picks with the pointer it reads. Only n is cached: it changes when a split round ends
/// (the bucket count doubled), a script then answers FEDLAYOUT with the new n and <see cref="RunAsync{T}"/> calls again.
/// </summary>
public sealed partial class BucketLayout(int partitions, int initialBuckets)
{
    /// <summary>The highest modulus: h has 16 bits, so beyond 65,536 buckets a split would move nothing.</summary>
    public const int MaxModulus = 65_536;

    // A script that meets another layout stops before writing; a layout changes (doubles) rarely, so a few tries suffice.
    private const int MaxAttempts = 8;

    private readonly int[] modulus = Enumerable.Repeat(initialBuckets, partitions).ToArray();
    private readonly RedisKey[] layoutKeys = Enumerable.Range(0, partitions).Select(RedisKeys.BucketLayout).ToArray();

    // Built once and shared: the submit path names two buckets per signal (bench all: building them per call doubled
    // what the store allocates per signal). Grown, never shrunk, as the modulus grows.
    private readonly RedisKey[][] bucketKeys = Enumerable.Range(0, partitions).Select(p => BuildKeys(p, 0, 2 * initialBuckets, [])).ToArray();

    /// <summary>The configured bucket count: the layout of a partition that has none stored (the fixed layout of before).</summary>
    public int InitialBuckets => initialBuckets;

    /// <summary>The modulus this replica assumes for <paramref name="partition"/>.</summary>
    public int Modulus(int partition) => Volatile.Read(ref modulus[partition]);

    /// <summary>The partition's layout hash.</summary>
    public RedisKey LayoutKey(int partition) => layoutKeys[partition];

    /// <summary>The key of bucket <paramref name="bucket"/> of <paramref name="partition"/>.</summary>
    public RedisKey Bucket(int partition, int bucket)
    {
        var keys = Volatile.Read(ref bucketKeys[partition]);
        if (bucket < keys.Length)
        {
            return keys[bucket];
        }

        lock (bucketKeys)
        {
            keys = bucketKeys[partition];
            if (bucket >= keys.Length)
            {
                keys = BuildKeys(partition, keys.Length, Math.Max(bucket + 1, 2 * keys.Length), keys);
                Volatile.Write(ref bucketKeys[partition], keys);
            }

            return keys[bucket];
        }
    }

    /// <summary>The two buckets that may hold <paramref name="storageKey"/> at modulus <paramref name="n"/>: h mod n and h mod 2n.</summary>
    public (RedisKey Low, RedisKey High) Candidates(int partition, ReadOnlySpan<byte> storageKey, int n)
    {
        var h = SignalStorageKey.Hash(storageKey);
        return (Bucket(partition, h % n), Bucket(partition, h % (2 * n)));
    }

    /// <summary>Reads the stored layout: (n, s), the configured count and 0 when the partition has none yet.</summary>
    public async Task<(int N, int S)> ReadAsync(IDatabaseAsync db, int partition)
    {
        var values = await db.HashGetAsync(layoutKeys[partition], [(RedisValue)"n", (RedisValue)"s"]).ConfigureAwait(false);
        var layout = values[0].IsNull ? (initialBuckets, 0) : ((int)values[0], values[1].IsNull ? 0 : (int)values[1]);
        Observe(partition, layout.Item1);
        return layout;
    }

    /// <summary>
    /// Remembers a modulus Redis answered. Taken as it is, smaller too: after a FLUSHDB (tests) the stored layout is gone
    /// and the next submission records whatever its caller assumed, which every replica then follows.
    /// </summary>
    public void Observe(int partition, int n) => Volatile.Write(ref modulus[partition], n);

    /// <summary>
    /// Runs a script call that names buckets at the modulus it is given; when the script answers FEDLAYOUT (the stored
    /// modulus differs, nothing was written) takes the modulus from the answer and calls again.
    /// </summary>
    public async Task<T> RunAsync<T>(int partition, Func<int, Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(Modulus(partition)).ConfigureAwait(false);
            }
            catch (RedisServerException e) when (attempt < MaxAttempts && StaleModulus(e) is { } n)
            {
                Observe(partition, n);
            }
        }
    }

    /// <summary>The stored modulus a FEDLAYOUT answer names, or null for any other error.</summary>
    public static int? StaleModulus(Exception e)
    {
        var match = FedLayout().Match(e.Message);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"FEDLAYOUT (\d+)")]
    private static partial Regex FedLayout();

    private static RedisKey[] BuildKeys(int partition, int from, int to, RedisKey[] existing)
    {
        var keys = new RedisKey[to];
        existing.AsSpan().CopyTo(keys);
        for (var b = from; b < to; b++)
        {
            keys[b] = RedisKeys.SignalBucket(partition, b);
        }

        return keys;
    }
}
