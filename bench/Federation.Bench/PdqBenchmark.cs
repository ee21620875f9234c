using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Federation.Core.Pdq;

namespace Federation.Bench;

/// <summary>
/// PDQ near-match: <see cref="PdqIndex{TId}"/> against <see cref="PdqBruteForce{TId}"/> over the same
/// hashes in the same run. Random hashes are far apart (mean distance 128), so every query hash also
/// gets planted neighbours at distances 0..31 — the index must find them, and pay for them.
/// </summary>
internal static class PdqBenchmark
{
    private static readonly int[] Thresholds = [0, 16, 31];

    // Below the index's merge threshold (clamp(n / 256, 1024, 2048): 2,048 at 1M and 10M, 1,024 at 100k),
    // so these stay in the scanned delta (3,000 before the limit was lowered from 8,192).
    private const int RecentAdds = 2_000;
    private const int QuickRecentAdds = 1_000;

    // Live adds: the rate DESIGN.md names, for long enough at 10M that the recent segment is folded into the
    // main one several times (every ~100k adds at 10M).
    private const int LiveAddsPerSecond = 10_000;

    /// <summary>What one run measured: the hash count, index memory, the brute-force baseline and the index rows.</summary>
    public sealed record Result(int Hashes, long IndexBytes, double BuildSeconds, Stats BruteForce, IReadOnlyList<Row> Rows)
    {
        /// <summary>PdqBruteForce.Query's latency (scan, collect, sort, ids), for the record.</summary>
        public Stats? Generic { get; init; }

        /// <summary>d ≤ 31 throughput with one query thread per core.</summary>
        public double ParallelQueriesPerSecond { get; init; }

        /// <summary>Query latency at d ≤ 31 while adds stream in, and the merges they cause.</summary>
        public LiveAdds? Live { get; init; }

        /// <summary>The d ≤ 31 row of the merged index (no unmerged adds).</summary>
        public Row At31 => Rows.First(r => r.Threshold == 31 && r.UnmergedAdds == 0);
    }

    /// <summary><c>pdq [--quick] [--hashes N] [--out file]</c>: N random hashes (default 1M, quick 100k) plus the planted neighbours.</summary>
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var randomCount = int.Parse(BenchPaths.Option(args, "--hashes") ?? (quick ? "100000" : "1000000"), System.Globalization.CultureInfo.InvariantCulture);
        var outFile = BenchPaths.Option(args, "--out") ?? BenchPaths.ResultsFile("pdq.json");
        var result = Measure(randomCount, quick);
        Write(outFile, quick, result);
        Console.WriteLine($"written: {outFile}");
        return 0;
    }

    /// <summary>Builds the index over <paramref name="randomCount"/> random hashes and measures it against brute force, in this run.</summary>
    public static Result Measure(int randomCount, bool quick)
    {
        var queryCount = 1_000;
        var bruteQueryCount = quick ? 500 : 200;
        Console.WriteLine($"PDQ near-match benchmark: {randomCount:N0} random hashes + {queryCount:N0} x 32 planted neighbours (distances 0..31); {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var random = new Random(20240611);
        var (hashes, queries) = Generate(random, randomCount, queryCount);
        var ids = Enumerable.Range(0, hashes.Length).ToArray();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var buildClock = Stopwatch.StartNew();
        using var index = new PdqIndex<int>(hashes.Length);
        index.AddRange(hashes, ids);
        buildClock.Stop();
        var indexBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"index: {index.Count:N0} hashes built in {buildClock.Elapsed.TotalSeconds:F1} s, managed memory {indexBytes / 1048576.0:F1} MiB ({(double)indexBytes / index.Count:F0} bytes/hash)");

        var brute = new PdqBruteForce<int>(hashes.Length);
        foreach (var i in ids)
        {
            brute.Add(hashes[i], i);
        }

        VerifySameAnswers(index, brute, queries.AsSpan(0, 50));

        var results = new List<PdqMatch<int>>();
        var scan = new FastScan(hashes);
        var bruteStats = Measure(queries.AsSpan(0, bruteQueryCount), q => scan.Query(q, 31), results);
        var genericStats = Measure(queries.AsSpan(0, bruteQueryCount), q => brute.Query(q, 31, int.MaxValue, results), results);
        Console.WriteLine($"baseline: tight scan over ulong[] {bruteStats.Mean:F3} ms mean / {bruteStats.P99:F3} ms p99; PdqBruteForce.Query (scan, collect, sort, ids) {genericStats.Mean:F3} / {genericStats.P99:F3} ms");
        var rows = new List<Row>();
        foreach (var threshold in Thresholds)
        {
            var stats = Measure(queries, q => index.Query(q, threshold, int.MaxValue, results), results);
            rows.Add(new Row(threshold, stats, bruteStats.Mean / stats.Mean, bruteStats.P99 / stats.P99));
        }

        // Steady state between merges: recent adds sit in the delta, which every query scans.
        var recentAdds = quick ? QuickRecentAdds : RecentAdds;
        var recent = Enumerable.Range(0, recentAdds).Select(_ => RandomHash(random)).ToArray();
        for (var i = 0; i < recent.Length; i++)
        {
            index.Add(recent[i], hashes.Length + i);
        }

        var withDelta = Measure(queries, q => index.Query(q, 31, int.MaxValue, results), results);
        rows.Add(new Row(31, withDelta, bruteStats.Mean / withDelta.Mean, bruteStats.P99 / withDelta.P99, recentAdds));

        Print(rows, bruteStats);
        var parallel = MeasureParallel(index, queries, Environment.ProcessorCount);
        Console.WriteLine($"d<=31 with {Environment.ProcessorCount} query threads: {parallel:N0} queries/s (1 thread: {rows.First(r => r.Threshold == 31 && r.UnmergedAdds == 0).Stats.QueriesPerSecond:N0})");
        // The window the issue-18 runs used (14 s at 1M, 60 s at 10M), so figures compare across branches.
        var delta = Math.Clamp(hashes.Length / 256, 1024, 8192);
        var liveSeconds = Math.Clamp(1.5 * Math.Sqrt(2.0 * hashes.Length * delta) / LiveAddsPerSecond, quick ? 5 : 10, 75);
        var live = MeasureLiveAdds(index, queries, hashes.Length + recentAdds, TimeSpan.FromSeconds(liveSeconds), TimeSpan.FromSeconds(quick ? 3 : 10));
        return new Result(hashes.Length, indexBytes, buildClock.Elapsed.TotalSeconds, bruteStats, rows) { Generic = genericStats, ParallelQueriesPerSecond = parallel, Live = live };
    }

    // Fixed work split over the threads, after a warm-up on each: aggregate queries per second at d ≤ 31.
    private static double MeasureParallel(PdqIndex<int> index, PdqHash[] queries, int threads)
    {
        const int perThread = 20_000;
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var results = new List<PdqMatch<int>>();
            for (var i = 0; i < 2_000; i++)
            {
                results.Clear();
                index.Query(queries[(i + t) % queries.Length], 31, int.MaxValue, results);
            }

            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
            {
                results.Clear();
                index.Query(queries[(i * 7 + t) % queries.Length], 31, int.MaxValue, results);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        workers.ForEach(w => w.Join());
        return threads * perThread / clock.Elapsed.TotalSeconds;
    }

    // One thread adds random hashes at LiveAddsPerSecond (paced per millisecond) while one thread times d ≤ 31
    // queries back to back; the same query thread alone over `idle` first is the comparison. Merge load is the
    // CPU time of the merging thread inside merges (wall time where the clock is missing) over the window.
    private static LiveAdds MeasureLiveAdds(PdqIndex<int> index, PdqHash[] queries, int firstId, TimeSpan duration, TimeSpan idle)
    {
        index.WaitForMerges();
        var idleStats = QueryFor(index, queries, idle, () => false, out _, out _);

        var merges = new List<PdqMergeReport>();
        var mergeLock = new Lock();
        index.MergeReported = report =>
        {
            lock (mergeLock)
            {
                merges.Add(report);
            }
        };

        var added = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var adder = new Thread(() =>
        {
            var random = new Random(7);
            var limit = (long)(duration.TotalSeconds * LiveAddsPerSecond);
            while (clock.Elapsed < duration && added < limit)
            {
                var due = Math.Min(limit, (long)(clock.Elapsed.TotalSeconds * LiveAddsPerSecond));
                for (; added < due; added++)
                {
                    index.Add(RandomHash(random), firstId + added);
                }

                Thread.Sleep(1);
            }
        });
        adder.Start();
        var gen2Before = GC.CollectionCount(2);
        var during = QueryFor(index, queries, duration, () => !adder.IsAlive, out var peakUnmerged, out var split);
        var gen2 = GC.CollectionCount(2) - gen2Before;
        adder.Join();
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

        // A merge the window's adds started counts in full, even if it ends after the window.
        index.WaitForMerges();
        index.MergeReported = null;
        PdqMergeReport[] reports;
        lock (mergeLock)
        {
            reports = [.. merges];
        }

        var cpuMeasured = reports.All(r => r.CpuTime is not null);
        double Cost(PdqMergeReport r) => (r.CpuTime ?? r.Elapsed).TotalSeconds;
        var kinds = reports.GroupBy(r => r.Kind).OrderBy(g => g.Key)
            .Select(g => new MergeKindStats(g.Key.ToString(), g.Count(), g.Sum(Cost), g.Sum(r => r.Elapsed.TotalSeconds), g.Max(r => r.Elapsed.TotalSeconds), g.Max(r => r.Entries)))
            .ToList();
        var live = new LiveAdds(added / elapsed, elapsed, idleStats, during, reports.Length, reports.Sum(Cost) / elapsed, reports.Select(r => r.Elapsed.TotalSeconds).DefaultIfEmpty(0).Max(), cpu / elapsed)
        {
            PeakUnmerged = peakUnmerged,
            MergeWallShare = reports.Sum(r => r.Elapsed.TotalSeconds) / elapsed,
            MergeCpuMeasured = cpuMeasured,
            Kinds = kinds,
            InMerge = split.InMerge,
            OutsideMerge = split.Outside,
            Gen2Collections = gen2,
            MergeNice = PdqMergeThreadPriority.Nice,
        };
        Console.WriteLine($"live adds: {live.AddsPerSecond:N0} adds/s for {elapsed:F0} s; d<=31 idle p99 {idleStats.P99:F3} ms (mean {idleStats.Mean:F3}), during adds p99 {during.P99:F3} ms (mean {during.Mean:F3}) = {during.P99 / idleStats.P99:F2}x idle; "
            + $"{live.Merges} merges, merge {(cpuMeasured ? "CPU" : "wall")} time {live.MergeShare * 100:F1}% of one core (wall {live.MergeWallShare * 100:F1}%, longest {live.LongestMergeSeconds:F2} s); at most {peakUnmerged:N0} unmerged adds; process CPU {live.ProcessCores:F2} cores (query thread ~1 of it)");
        Console.WriteLine($"  during adds, queries started while a merge ran: {split.InMerge.Count:N0}, p99 {split.InMerge.P99:F3} ms (mean {split.InMerge.Mean:F3}); the others: {split.Outside.Count:N0}, p99 {split.Outside.P99:F3} ms (mean {split.Outside.Mean:F3}); {gen2} gen2 GCs; merge thread nice {PdqMergeThreadPriority.Nice}");
        foreach (var k in kinds)
        {
            Console.WriteLine($"  {k.Kind}: {k.Count} merges, CPU {k.CpuSeconds:F2} s, wall {k.WallSeconds:F2} s (longest {k.LongestWallSeconds:F2} s), largest {k.LargestEntries:N0} entries");
        }

        return live;
    }

    private static Stats QueryFor(PdqIndex<int> index, PdqHash[] queries, TimeSpan duration, Func<bool> stop, out int peakUnmerged, out (SplitStats InMerge, SplitStats Outside) split)
    {
        peakUnmerged = 0;
        var results = new List<PdqMatch<int>>();
        var latencies = new double[2_000_000];
        var inMerge = new bool[latencies.Length];
        var n = 0;
        var matches = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration && n < latencies.Length && !stop())
        {
            results.Clear();
            inMerge[n] = index.MergeRunning;
            var start = Stopwatch.GetTimestamp();
            matches += index.Query(queries[n % queries.Length], 31, int.MaxValue, results);
            latencies[n++] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (n % 64 == 0)
            {
                peakUnmerged = Math.Max(peakUnmerged, index.DeltaCount);
            }
        }

        var total = clock.Elapsed.TotalSeconds;
        split = (Split(latencies, inMerge, n, true), Split(latencies, inMerge, n, false));
        var sorted = latencies.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        return new Stats(n / total, sorted.Average(), Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1], (double)matches / n);
    }

    private static SplitStats Split(double[] latencies, bool[] inMerge, int n, bool merging)
    {
        var chosen = Enumerable.Range(0, n).Where(i => inMerge[i] == merging).Select(i => latencies[i]).Order().ToArray();
        return chosen.Length == 0 ? new SplitStats(0, 0, 0) : new SplitStats(chosen.Length, chosen.Average(), Percentile(chosen, 0.99));
    }

    private static (PdqHash[] Hashes, PdqHash[] Queries) Generate(Random random, int randomCount, int queryCount)
    {
        var hashes = new List<PdqHash>(randomCount + (queryCount * 32));
        for (var i = 0; i < randomCount; i++)
        {
            hashes.Add(RandomHash(random));
        }

        var queries = new PdqHash[queryCount];
        Span<int> bits = stackalloc int[PdqHash.BitLength];
        for (var q = 0; q < queryCount; q++)
        {
            queries[q] = RandomHash(random);
            for (var distance = 0; distance <= 31; distance++)
            {
                hashes.Add(Near(queries[q], distance, random, bits));
            }
        }

        // Planted neighbours spread through the slot order like real data, not appended in a block.
        var array = hashes.ToArray();
        random.Shuffle(array);
        return (array, queries);
    }

    private static PdqHash RandomHash(Random random)
    {
        Span<byte> bytes = stackalloc byte[PdqHash.ByteLength];
        random.NextBytes(bytes);
        return PdqHash.FromBytes(bytes);
    }

    private static PdqHash Near(PdqHash origin, int distance, Random random, Span<int> bits)
    {
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = i;
        }

        random.Shuffle(bits);
        var result = origin;
        foreach (var bit in bits[..distance])
        {
            result = result.WithBitFlipped(bit);
        }

        return result;
    }

    private static void VerifySameAnswers(PdqIndex<int> index, PdqBruteForce<int> brute, ReadOnlySpan<PdqHash> queries)
    {
        foreach (var query in queries)
        {
            foreach (var threshold in Thresholds)
            {
                var expected = brute.Query(query, threshold).Select(m => (m.Id, m.Distance)).Order().ToList();
                var actual = index.Query(query, threshold).Select(m => (m.Id, m.Distance)).Order().ToList();
                if (!expected.SequenceEqual(actual))
                {
                    throw new InvalidOperationException($"index and brute force disagree at distance {threshold}: {actual.Count} vs {expected.Count} matches");
                }
            }
        }

        Console.WriteLine($"check: index answers equal brute force for {queries.Length} queries at distances {string.Join(", ", Thresholds)}");
    }

    private static Stats Measure(ReadOnlySpan<PdqHash> queries, Func<PdqHash, int> query, List<PdqMatch<int>> results)
    {
        // Warm up for a second (tiered JIT reaches optimized code only after ~100 ms and some calls; a
        // short warm-up times tier-0 code), then time each query on its own.
        var warmUp = Stopwatch.StartNew();
        for (var i = 0; warmUp.ElapsedMilliseconds < 1000; i++)
        {
            results.Clear();
            query(queries[i % queries.Length]);
        }

        var latencies = new double[queries.Length];
        var matches = 0L;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < queries.Length; i++)
        {
            results.Clear();
            var start = Stopwatch.GetTimestamp();
            matches += query(queries[i]);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        total.Stop();
        Array.Sort(latencies);
        return new Stats(
            queries.Length / total.Elapsed.TotalSeconds,
            latencies.Average(),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            latencies[^1],
            (double)matches / queries.Length);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void Print(List<Row> rows, Stats brute)
    {
        Console.WriteLine();
        Console.WriteLine("| search               | queries/s | mean ms | p50 ms | p99 ms | max ms | matches/query | speed-up vs brute force (mean / p99) |");
        Console.WriteLine("|----------------------|----------:|--------:|-------:|-------:|-------:|--------------:|-------------------------------------:|");
        foreach (var row in rows)
        {
            var s = row.Stats;
            var label = row.UnmergedAdds > 0 ? $"+{row.UnmergedAdds} unmerged, d<={row.Threshold}" : $"index, distance <= {row.Threshold,-2}";
            Console.WriteLine($"| {label,-21} | {s.QueriesPerSecond,9:N0} | {s.Mean,7:F4} | {s.P50,6:F4} | {s.P99,6:F4} | {s.Max,6:F3} | {s.MatchesPerQuery,13:F1} | {row.SpeedupMean,16:F1}x / {row.SpeedupP99,5:F1}x |");
        }

        Console.WriteLine($"| brute force (scan)   | {brute.QueriesPerSecond,9:N0} | {brute.Mean,7:F4} | {brute.P50,6:F4} | {brute.P99,6:F4} | {brute.Max,6:F3} | {brute.MatchesPerQuery,13:F1} | {"1.0x",36} |");
        Console.WriteLine();
    }

    private static void Write(string path, bool quick, Result result)
    {
        var (count, indexBytes, brute, generic, rows) = (result.Hashes, result.IndexBytes, result.BruteForce, result.Generic!, result.Rows);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("benchmark", "pdq");
        json.WriteBoolean("quick", quick);
        json.WriteString("measuredAt", DateTimeOffset.UtcNow);
        json.WriteNumber("processorCount", Environment.ProcessorCount);
        json.WriteString("runtime", Environment.Version.ToString());
        json.WriteNumber("hashes", count);
        json.WriteNumber("indexManagedBytes", indexBytes);
        json.WriteNumber("indexBytesPerHash", Math.Round((double)indexBytes / count, 1));
        json.WriteNumber("buildSeconds", Math.Round(result.BuildSeconds, 2));
        json.WriteString("bruteForceBaseline", "tight loop over a contiguous ulong[], four PopCounts per hash, matches collected into a reused buffer");
        json.WritePropertyName("bruteForce");
        WriteStats(json, brute);
        json.WritePropertyName("pdqBruteForceQuery");
        WriteStats(json, generic);
        json.WriteStartArray("index");
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteNumber("maxDistance", row.Threshold);
            json.WriteNumber("unmergedRecentAdds", row.UnmergedAdds);
            json.WritePropertyName("latency");
            WriteStats(json, row.Stats);
            json.WriteNumber("speedupMean", Math.Round(row.SpeedupMean, 2));
            json.WriteNumber("speedupP99", Math.Round(row.SpeedupP99, 2));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("queryThreads", Environment.ProcessorCount);
        json.WriteNumber("parallelQueriesPerSecondAt31", Math.Round(result.ParallelQueriesPerSecond));
        if (result.Live is { } live)
        {
            json.WriteStartObject("liveAdds");
            json.WriteNumber("addsPerSecond", Math.Round(live.AddsPerSecond));
            json.WriteNumber("seconds", Math.Round(live.Seconds, 1));
            json.WritePropertyName("idle");
            WriteStats(json, live.Idle);
            json.WritePropertyName("duringAdds");
            WriteStats(json, live.During);
            json.WriteNumber("p99RatioToIdle", Math.Round(live.During.P99 / live.Idle.P99, 2));
            json.WriteNumber("merges", live.Merges);
            json.WriteNumber("mergeShareOfOneCore", Math.Round(live.MergeShare, 3));
            json.WriteNumber("longestMergeSeconds", Math.Round(live.LongestMergeSeconds, 2));
            json.WriteNumber("processCores", Math.Round(live.ProcessCores, 2));
            json.WriteNumber("peakUnmergedAdds", live.PeakUnmerged);
            json.WriteBoolean("mergeShareIsCpuTime", live.MergeCpuMeasured);
            json.WriteNumber("mergeWallShareOfOneCore", Math.Round(live.MergeWallShare, 3));
            json.WriteNumber("mergeThreadNice", live.MergeNice);
            json.WriteNumber("gen2Collections", live.Gen2Collections);
            foreach (var (name, part) in new[] { ("queriesWhileMerging", live.InMerge), ("queriesOutsideMerges", live.OutsideMerge) })
            {
                json.WriteStartObject(name);
                json.WriteNumber("count", part.Count);
                json.WriteNumber("meanMs", Math.Round(part.Mean, 5));
                json.WriteNumber("p99Ms", Math.Round(part.P99, 5));
                json.WriteEndObject();
            }

            json.WriteStartArray("mergeKinds");
            foreach (var k in live.Kinds)
            {
                json.WriteStartObject();
                json.WriteString("kind", k.Kind);
                json.WriteNumber("count", k.Count);
                json.WriteNumber("cpuSeconds", Math.Round(k.CpuSeconds, 3));
                json.WriteNumber("wallSeconds", Math.Round(k.WallSeconds, 3));
                json.WriteNumber("longestWallSeconds", Math.Round(k.LongestWallSeconds, 3));
                json.WriteNumber("largestEntries", k.LargestEntries);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter json, Stats s)
    {
        json.WriteStartObject();
        json.WriteNumber("queriesPerSecond", Math.Round(s.QueriesPerSecond));
        json.WriteNumber("meanMs", Math.Round(s.Mean, 5));
        json.WriteNumber("p50Ms", Math.Round(s.P50, 5));
        json.WriteNumber("p99Ms", Math.Round(s.P99, 5));
        json.WriteNumber("maxMs", Math.Round(s.Max, 5));
        json.WriteNumber("matchesPerQuery", Math.Round(s.MatchesPerQuery, 2));
        json.WriteEndObject();
    }

    /// <summary>
    /// The honest brute-force baseline: one tight loop over a contiguous ulong[] (four words per hash),
    /// four PopCounts per hash, no bounds checks, collecting the matching positions into a reused buffer.
    /// </summary>
    private sealed class FastScan(PdqHash[] hashes)
    {
        private readonly ulong[] _words = hashes.SelectMany(h => new[] { h.Word0, h.Word1, h.Word2, h.Word3 }).ToArray();
        private readonly int[] _found = new int[hashes.Length];

        public int Query(PdqHash query, int maxDistance)
        {
            ulong q0 = query.Word0, q1 = query.Word1, q2 = query.Word2, q3 = query.Word3;
            ref var h = ref MemoryMarshal.GetArrayDataReference(_words);
            var count = _words.Length >> 2;
            var found = 0;
            for (var i = 0; i < count; i++, h = ref Unsafe.Add(ref h, 4))
            {
                var distance = BitOperations.PopCount(h ^ q0) + BitOperations.PopCount(Unsafe.Add(ref h, 1) ^ q1)
                    + BitOperations.PopCount(Unsafe.Add(ref h, 2) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref h, 3) ^ q3);
                if (distance <= maxDistance)
                {
                    _found[found++] = i;
                }
            }

            return found;
        }
    }

    /// <summary>Latency of one query kind, in ms, and its single-thread throughput.</summary>
    public sealed record Stats(double QueriesPerSecond, double Mean, double P50, double P99, double Max, double MatchesPerQuery);

    /// <summary>Live adds: the rate reached, d ≤ 31 latency idle and during, and the merges' share of one core.</summary>
    public sealed record LiveAdds(double AddsPerSecond, double Seconds, Stats Idle, Stats During, int Merges, double MergeShare, double LongestMergeSeconds, double ProcessCores)
    {
        /// <summary>The most adds seen in the delta(s) during the window (they grow while a main rebuild runs).</summary>
        public int PeakUnmerged { get; init; }

        /// <summary>The merges' wall time over the window (MergeShare is their CPU time when measurable).</summary>
        public double MergeWallShare { get; init; }

        /// <summary>Whether MergeShare is CPU time (thread clock available) rather than wall time.</summary>
        public bool MergeCpuMeasured { get; init; }

        public IReadOnlyList<MergeKindStats> Kinds { get; init; } = [];

        /// <summary>Queries during adds that started while a merge task ran, and the others.</summary>
        public SplitStats InMerge { get; init; } = new(0, 0, 0);

        public SplitStats OutsideMerge { get; init; } = new(0, 0, 0);

        public int Gen2Collections { get; init; }

        public int MergeNice { get; init; }
    }

    /// <summary>Latency of a subset of the queries during adds.</summary>
    public sealed record SplitStats(int Count, double Mean, double P99);

    /// <summary>Merges of one kind during the live-adds window.</summary>
    public sealed record MergeKindStats(string Kind, int Count, double CpuSeconds, double WallSeconds, double LongestWallSeconds, int LargestEntries);

    /// <summary>One index measurement: the distance threshold, its latency, and the speed-ups over brute force (same run).</summary>
    public sealed record Row(int Threshold, Stats Stats, double SpeedupMean, double SpeedupP99, int UnmergedAdds = 0);
}
