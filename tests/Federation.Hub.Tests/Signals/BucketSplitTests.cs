using System.Security.Cryptography;
using Federation.Core.Signals;
using Federation.Hub.Options;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// Buckets that follow the data (linear hashing, docs/signals.md): a partition starts with one bucket and the splitter
/// splits at 4 records per bucket, so a few thousand signals go through many splits and many doublings of the modulus
/// while submissions, look-ups and scans run, against a real redis-server. Nothing is lost, nothing is read twice, a
/// replica with an outdated layout is corrected, and data of the fixed layout of before stays readable.
/// </summary>
public sealed class BucketSplitTests(TestRedis redis) : IClassFixture<TestRedis>
{
    private const int Rounds = 20;
    private const int PerRound = 200;

    [Fact]
    public async Task Concurrent_submits_during_splits_lose_nothing()
    {
        using var mux = await ConnectAsync();
        var store = Store(mux);
        var splitter = Splitter(mux, store);
        var keys = RandomKeys(Rounds * PerRound);

        using var done = new CancellationTokenSource();
        var splitting = SplitWhileAsync(splitter, done.Token);
        for (var round = 0; round < Rounds; round++)
        {
            await SubmitAsync(store, keys.Skip(round * PerRound).Take(PerRound));
        }

        await done.CancelAsync();
        var splits = await splitting;
        await SplitAllAsync(splitter);

        var records = await store.GetManyAsync(keys.Select(k => (Partition(store, k), k)).ToArray());
        Assert.True(splits > 0, "the splitter split nothing while the submissions ran");
        Assert.All(records, r => Assert.NotNull(r));
        Assert.Equal(keys.Length, await CountScannedAsync(store));
        await AssertEveryRecordInItsBucketAsync(mux, store, keys);
    }

    [Fact]
    public async Task Lookups_and_scans_during_splits_find_every_record_once()
    {
        using var mux = await ConnectAsync();
        var store = Store(mux);
        var splitter = Splitter(mux, store);
        var keys = RandomKeys(Rounds * PerRound);
        await SubmitAsync(store, keys);
        var queries = keys.Select(k => (Partition(store, k), k)).ToArray();

        using var done = new CancellationTokenSource();
        var splitting = SplitWhileAsync(splitter, done.Token);
        var missed = 0;
        var scannedCounts = new List<int>();
        for (var round = 0; round < Rounds; round++)
        {
            missed += (await store.GetManyAsync(queries)).Count(r => r is null);
            scannedCounts.Add(await CountScannedAsync(store));
        }

        await done.CancelAsync();
        var splits = await splitting;

        Assert.True(splits > 0, "the splitter split nothing while the look-ups ran");
        Assert.Equal(0, missed);
        Assert.All(scannedCounts, c => Assert.Equal(keys.Length, c));
    }

    [Fact]
    public async Task A_replica_with_an_outdated_layout_is_told_and_reads_and_writes_the_right_buckets()
    {
        using var mux = await ConnectAsync();
        var splitting = Store(mux);
        var stale = Store(mux);
        var keys = RandomKeys(2000);
        await SubmitAsync(splitting, keys.Take(1000));
        var partition = Partition(splitting, keys[0]);

        await SplitAllAsync(Splitter(mux, splitting));
        var before = stale.Layout.Modulus(partition);
        await SubmitAsync(stale, keys.Skip(1000));
        var records = await stale.GetManyAsync(keys.Select(k => (Partition(stale, k), k)).ToArray());

        Assert.Equal(1, before);
        Assert.Equal(splitting.Layout.Modulus(partition), stale.Layout.Modulus(partition));
        Assert.True(stale.Layout.Modulus(partition) > 1);
        Assert.All(records, r => Assert.NotNull(r));
        await AssertEveryRecordInItsBucketAsync(mux, splitting, keys);
    }

    [Fact]
    public async Task Data_of_the_fixed_layout_of_before_is_read_and_split()
    {
        using var mux = await ConnectAsync();
        var store = Store(mux, initialBuckets: 8);
        var keys = RandomKeys(1000);
        await SubmitAsync(store, keys);
        // What earlier versions left: the same buckets (h mod 8) and no layout key.
        var db = mux.GetDatabase();
        for (var p = 0; p < store.PartitionCount; p++)
        {
            await db.KeyDeleteAsync(RedisKeys.BucketLayout(p));
        }

        var upgraded = Store(mux, initialBuckets: 8);
        var read = await upgraded.GetManyAsync(keys.Select(k => (Partition(upgraded, k), k)).ToArray());
        var added = await SplitAllAsync(Splitter(mux, upgraded));
        var afterSplit = await upgraded.GetManyAsync(keys.Select(k => (Partition(upgraded, k), k)).ToArray());

        Assert.All(read, r => Assert.NotNull(r));
        Assert.True(added > 0);
        Assert.All(afterSplit, r => Assert.NotNull(r));
        Assert.Equal(keys.Length, await CountScannedAsync(upgraded));
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        // Each test starts from an empty store: the layouts are per partition, shared by every key of it.
        await mux.GetServers()[0].FlushDatabaseAsync();
        return mux;
    }

    private static FederationOptions Options(int initialBuckets) =>
        new() { Signals = { BucketsPerPartition = initialBuckets, SplitFieldsPerBucket = 4 } };

    private static SignalStore Store(ConnectionMultiplexer mux, int initialBuckets = 1) =>
        new(mux, Microsoft.Extensions.Options.Options.Create(Options(initialBuckets)), TimeProvider.System);

    private static BucketSplitter Splitter(ConnectionMultiplexer mux, SignalStore store) =>
        new(new BucketSplitStore(mux, store), store, Microsoft.Extensions.Options.Options.Create(Options(store.BucketsPerPartition)), TimeProvider.System, NullLogger<BucketSplitter>.Instance);

    private static int Partition(SignalStore store, byte[] key) => ((key[1] << 8) | key[2]) % store.PartitionCount;

    private static byte[][] RandomKeys(int count) =>
        Enumerable.Range(0, count).Select(_ => SignalStorageKey.Create(NormalizedSignal.FromRaw(SignalKind.Sha256, RandomNumberGenerator.GetBytes(32)), "")).ToArray();

    private static async Task SubmitAsync(SignalStore store, IEnumerable<byte[]> keys)
    {
        var calls = keys.GroupBy(k => Partition(store, k))
            .Select(g => store.SubmitAsync(g.Key, 1, g.Select(k => new SignalWrite(k, 1, 0, 0)).ToArray()));
        await Task.WhenAll(calls);
    }

    // Splitter rounds until cancelled (bounded by count too); returns the buckets added.
    private static async Task<int> SplitWhileAsync(BucketSplitter splitter, CancellationToken until)
    {
        await Task.Yield();
        var added = 0;
        for (var round = 0; round < 100_000 && !until.IsCancellationRequested; round++)
        {
            added += await splitter.SplitDueAsync(CancellationToken.None);
        }

        return added;
    }

    private static async Task<int> SplitAllAsync(BucketSplitter splitter)
    {
        var added = 0;
        for (var round = 0; round < 100; round++)
        {
            var more = await splitter.SplitDueAsync(CancellationToken.None);
            if (more == 0)
            {
                break;
            }

            added += more;
        }

        return added;
    }

    private static async Task<int> CountScannedAsync(SignalStore store)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        for (var p = 0; p < store.PartitionCount; p++)
        {
            await foreach (var record in store.ScanAllAsync(p, CancellationToken.None))
            {
                count++;
                seen.Add(Convert.ToHexString(SignalStorageKey.Create(record.Signal, record.SharingGroup)));
            }
        }

        Assert.Equal(count, seen.Count); // no record read twice
        return count;
    }

    // Every record sits in the bucket the stored layout names (h mod n, or h mod 2n below the split pointer).
    private static async Task AssertEveryRecordInItsBucketAsync(ConnectionMultiplexer mux, SignalStore store, byte[][] keys)
    {
        var db = mux.GetDatabase();
        foreach (var key in keys)
        {
            var p = Partition(store, key);
            var (n, s) = await store.Layout.ReadAsync(db, p);
            var h = SignalStorageKey.Hash(key);
            var bucket = h % n < s ? h % (2 * n) : h % n;
            Assert.True(await db.HashExistsAsync(RedisKeys.SignalBucket(p, bucket), key), $"record not in bucket {bucket} of partition {p} (n {n}, s {s})");
        }
    }
}
