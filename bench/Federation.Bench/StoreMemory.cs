using System.Globalization;
using Federation.Core.Signals;
using Federation.Hub.Options;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>
/// Redis memory as INFO reports it (<c>used_memory</c>), the basis of the bytes-per-signal figures; and the
/// <c>memory</c> command, which measures only that figure with a breakdown by key family.
/// </summary>
internal static class StoreMemory
{
    /// <summary>
    /// <c>memory [--signals N] [--buckets B]</c>: fills an empty store exactly as <c>all</c> does (the hub's own script,
    /// batches of 1,000 split by partition, one contributor) and prints bytes/signal plus where the bytes are.
    /// </summary>
    public static int Run(string[] args)
    {
        var signals = int.Parse(BenchPaths.Option(args, "--signals") ?? "100000", CultureInfo.InvariantCulture);
        var buckets = BenchPaths.Option(args, "--buckets") is { } b ? int.Parse(b, CultureInfo.InvariantCulture) : (int?)null;
        return RunAsync(signals, buckets, args.Contains("--labelled"), args.Contains("--no-split"), args.Contains("--curve")).GetAwaiter().GetResult();
    }

    // Rounds of the splitter while the fill runs, then until nothing is due (bounded: each round splits or ends the loop).
    internal static async Task SplitUntilAsync(BucketSplitter splitter, CancellationToken filled)
    {
        while (!filled.IsCancellationRequested)
        {
            if (await splitter.SplitDueAsync(CancellationToken.None) == 0)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }

        for (var round = 0; round < 1000 && await splitter.SplitDueAsync(CancellationToken.None) > 0; round++)
        {
        }
    }

    /// <summary>
    /// What a replica's cold start reads: every partition scanned for PDQ records only (the PDQ index load, filtered in
    /// Redis) and, for comparison, every record (what the load read before).
    /// </summary>
    private static async Task ScanTimesAsync(SignalStore store)
    {
        foreach (var kind in new SignalKind?[] { SignalKind.Pdq, null })
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long records = 0;
            for (var p = 0; p < store.PartitionCount; p++)
            {
                await foreach (var _ in store.ScanActiveAsync(p, CancellationToken.None, kind))
                {
                    records++;
                }
            }

            Console.WriteLine($"  scan {(kind is null ? "all records" : "PDQ records only")}: {records:N0} records in {clock.Elapsed.TotalSeconds:F2} s");
        }
    }

    // One expiry sweep round over the filled store, as the hub's sweeper runs it (one call at a time), then as the sweeper
    // ran before session 12 (every partition at once, 32 buckets per call): its wall time, Redis' CPU for it, and how long
    // a PING on another connection waited meanwhile, which is what every member's command waits behind a sweep call.
    private static async Task SweepTimesAsync(ConnectionMultiplexer redis, SignalStore store, FederationOptions options)
    {
        var sweeper = new SignalExpirySweeper(store, Options.Create(options), TimeProvider.System, NullLogger<SignalExpirySweeper>.Instance);
        await MeasureAsync(
            $"one call at a time, at most {options.Signals.SweepBucketsPerCall} buckets and {options.Signals.SweepRecordsPerCall} records per call, paced to {options.Signals.MaintenanceRedisShare:P0} of Redis",
            () => sweeper.SweepOnceAsync());
        await MeasureAsync("every partition at once, 32 buckets per call (before session 12)", async () =>
        {
            var partitions = Enumerable.Range(0, store.PartitionCount).Select(async p =>
            {
                var buckets = await store.BucketCountAsync(p);
                for (var start = 0; start < buckets; start += 32)
                {
                    await store.SweepAsync(p, start, Math.Min(32, buckets - start), int.MaxValue);
                }
            });
            await Task.WhenAll(partitions);
            return 0;
        });

        async Task MeasureAsync(string label, Func<Task<int>> sweep)
        {
            using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var cpu = await RedisCpuSecondsAsync(redis);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var done = new CancellationTokenSource();
            var pings = Task.Run(async () =>
            {
                var waits = new List<double>();
                for (var i = 0; i < 100_000 && !done.IsCancellationRequested; i++)
                {
                    waits.Add((await probe.GetDatabase().PingAsync()).TotalMilliseconds);
                    await Task.Delay(2);
                }

                return waits;
            });
            await sweep();
            var seconds = clock.Elapsed.TotalSeconds;
            await done.CancelAsync();
            var waits = LatencyStats.From(await pings);
            Console.WriteLine($"  expiry sweep round, {label}: {seconds:F2} s, Redis CPU {await RedisCpuSecondsAsync(redis) - cpu:F2} s; PING on another connection meanwhile p50 {waits.P50Ms:F2} / p99 {waits.P99Ms:F2} / max {waits.MaxMs:F1} ms ({waits.Count} pings)");
        }
    }

    private static async Task<double> RedisCpuSecondsAsync(ConnectionMultiplexer redis)
    {
        var info = (await redis.GetServers()[0].InfoAsync("cpu")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return double.Parse(info["used_cpu_user"], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(info["used_cpu_sys"], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> RunAsync(int signals, int? buckets, bool labelled, bool noSplit, bool curve)
    {
        var work = Directory.CreateTempSubdirectory("federation-bench-memory-").FullName;
        try
        {
            using var server = LocalRedisServer.Start(Path.Combine(work, "redis"), persistent: false);
            // A long timeout: on a shared 2-core machine a 10M fill can starve Redis for seconds (SLOWLOG below says whether a
            // script itself was slow).
            using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true,asyncTimeout=60000,syncTimeout=60000");
            var options = new FederationOptions();
            if (buckets is { } count)
            {
                options.Signals.BucketsPerPartition = count;
            }

            var store = new SignalStore(redis, Options.Create(options), TimeProvider.System);
            // The hub's bucket splitter runs beside the fill as it does beside ingest (--no-split: the fixed layout of before).
            var splitter = new BucketSplitter(
                new BucketSplitStore(redis, store), store, Options.Create(options), TimeProvider.System, NullLogger<BucketSplitter>.Instance);
            using var filled = new CancellationTokenSource();
            var splitting = noSplit ? Task.CompletedTask : SplitUntilAsync(splitter, filled.Token);
            var before = await UsedMemoryAsync(redis);
            // --labelled: every signal states a confidence and AMBER, the records' two governance bytes (docs/governance.md).
            RawRedisBaseline.Result fill;
            long stored = 0;
            var points = new List<StoreScale.Point>();
            if (curve)
            {
                // Stages 200k, 1M, then the rest, each followed by an ingest and read probe (which store signals too).
                var seed = 7;
                foreach (var stage in new[] { 200_000, 1_000_000, signals }.Where(s => s <= signals).Distinct())
                {
                    var more = await RawRedisBaseline.FillAsync(store, 900_002, seed++, (int)Math.Max(0, stage - stored));
                    stored += more.Signals;
                    var point = await StoreScale.ProbeAsync(store, stored, 100 + seed, 7);
                    stored += point.Ingested;
                    points.Add(point);
                }

                fill = new RawRedisBaseline.Result("curve", stored, 0, 0, 0, 0);
                Console.WriteLine($"  ingest {points[^1].IngestPerSecond / points[0].IngestPerSecond:F2}x the first point; exact read p99 {points[^1].ReadP99Ms / points[Math.Min(1, points.Count - 1)].ReadP99Ms:F2}x the 1M point");
            }
            else
            {
                fill = labelled
                    ? await RawRedisBaseline.FillLabelledAsync(store, 900_002, 7, signals)
                    : await RawRedisBaseline.FillAsync(store, 900_002, 7, signals);
                Console.WriteLine($"  fill: {fill.SignalsPerSecond:N0} signals/s over {fill.Seconds:F0} s");
            }

            await filled.CancelAsync();
            await splitting;
            var after = await UsedMemoryAsync(redis);
            var total = 0;
            for (var p = 0; p < store.PartitionCount; p++)
            {
                total += await store.BucketCountAsync(p);
            }

            Console.WriteLine($"{fill.Signals:N0} signals, {store.PartitionCount} partitions, {total:N0} buckets (initially {store.PartitionCount} x {store.BucketsPerPartition}): {(after - before) / (double)fill.Signals:F1} bytes/signal (used_memory - mem_clients_normal delta {after - before:N0})");
            await BreakdownAsync(redis, store, fill.Signals);
            await ScanTimesAsync(store);
            await SweepTimesAsync(redis, store, options);
            var slow = (RedisResult[])(await redis.GetDatabase().ExecuteAsync("SLOWLOG", "GET", "5"))!;
            Console.WriteLine("  slowest commands (SLOWLOG, over 10 ms): " + string.Join("; ", slow.Select(e => { var f = (RedisResult[])e!; var argv = (RedisResult[])f[3]!; return $"{(long)f[2] / 1000.0:F1} ms {argv[0]}"; })));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>MEMORY USAGE summed per key family, and the keyspace overhead from MEMORY STATS.</summary>
    private static async Task BreakdownAsync(ConnectionMultiplexer redis, SignalStore store, long signals)
    {
        var db = redis.GetDatabase();
        long bucketBytes = 0, bucketKeys = 0, feedBytes = 0, statsBytes = 0;
        long listpacks = 0;
        for (var p = 0; p < store.PartitionCount; p++)
        {
            var pending = new List<Task<RedisResult>>();
            var encodings = new List<Task<RedisResult>>();
            var count = await store.BucketCountAsync(p);
            for (var bucket = 0; bucket < count; bucket++)
            {
                pending.Add(db.ExecuteAsync("MEMORY", "USAGE", RedisKeys.SignalBucket(p, bucket).ToString(), "SAMPLES", "0"));
                encodings.Add(db.ExecuteAsync("OBJECT", "ENCODING", RedisKeys.SignalBucket(p, bucket).ToString()));
            }

            foreach (var t in encodings)
            {
                listpacks += (string?)await t == "listpack" ? 1 : 0;
            }

            foreach (var t in pending)
            {
                var r = await t;
                if (!r.IsNull)
                {
                    bucketBytes += (long)r;
                    bucketKeys++;
                }
            }

            feedBytes += (long)await db.ExecuteAsync("MEMORY", "USAGE", RedisKeys.Feed(p).ToString(), "SAMPLES", "0");
            statsBytes += (long)await db.ExecuteAsync("MEMORY", "USAGE", RedisKeys.SignalStats(p).ToString(), "SAMPLES", "0");
        }

        Console.WriteLine($"  buckets: {bucketKeys:N0} keys ({listpacks:N0} listpacks), MEMORY USAGE {bucketBytes / (double)signals:F1} B/signal ({signals / (double)Math.Max(1, bucketKeys):F1} fields per bucket)");
        Console.WriteLine($"  feed streams: {feedBytes / (double)signals:F1} B/signal; stats hashes: {statsBytes:N0} B in all");
        var stats = (RedisResult[])(await db.ExecuteAsync("MEMORY", "STATS"))!;
        var pairs = new List<string>();
        for (var i = 0; i + 1 < stats.Length; i += 2)
        {
            var name = (string)stats[i]!;
            if (name is "overhead.total" or "keys.count" or "dataset.bytes" or "overhead.hashtable.main" or "db.0")
            {
                pairs.Add(stats[i + 1].Resp2Type == ResultType.Array ? $"{name}: {string.Join(' ', ((RedisResult[])stats[i + 1]!).Select(x => x.ToString()))}" : $"{name}: {stats[i + 1]}");
            }
        }

        Console.WriteLine("  MEMORY STATS " + string.Join("; ", pairs));
    }

    /// <summary>
    /// <c>used_memory</c> minus client buffers (<c>mem_clients_normal</c>): a pipelined fill leaves large query buffers
    /// behind for a moment, and they are not what a stored signal costs.
    /// </summary>
    public static async Task<long> UsedMemoryAsync(IConnectionMultiplexer redis)
    {
        await Task.Delay(200);
        var server = redis.GetServers()[0];
        var info = await server.InfoRawAsync("memory") ?? "";
        return Field(info, "used_memory") - Field(info, "mem_clients_normal");
    }

    private static long Field(string info, string name)
    {
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length + 1).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"INFO memory has no {name}");
    }

    public static async Task<long> FeedEntriesAsync(IConnectionMultiplexer redis, int partitions)
    {
        var db = redis.GetDatabase();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += await db.StreamLengthAsync(Federation.Hub.Storage.RedisKeys.Feed(p));
        }

        return total;
    }
}
