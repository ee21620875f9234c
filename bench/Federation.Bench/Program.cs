using Federation.Bench;

// One command per benchmark; each lives in its own file and returns a process exit code.
var commands = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["pdq"] = PdqBenchmark.Run,
    ["all"] = AllBenchmark.Run,
    ["memory"] = StoreMemory.Run,
    ["feed"] = AllBenchmark.RunFeed,
    ["feed-clients"] = FeedClients.Run,
    ["outage"] = AllBenchmark.RunOutage,
    ["fairness"] = FairnessBenchmark.Run,
    ["flood-clients"] = FloodClients.Run,
    ["taxii"] = TaxiiBenchmark.Run,
    ["taxii-memory"] = TaxiiCatalogMemory.Run,
    ["victim-clients"] = VictimClients.Run,
    ["vpdq"] = VpdqBenchmark.Run,
    ["video-lookup"] = VideoLookupBenchmark.Run,
    ["startup"] = StartupBenchmark.Run,
    ["cold"] = ColdStart.Run,
    ["ingest"] = IngestBenchmark.Run,
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: Federation.Bench <{string.Join('|', commands.Keys)}> [options]");
    Console.Error.WriteLine("  all [--quick] [--out <file>]   hub figures vs raw Redis in one run: ingest, feed latency, fan-out, lookup, memory, scale (quick < 2 min)");
    Console.Error.WriteLine("  memory [--signals N] [--buckets B]   Redis bytes/signal only, filled as `all` does, with a breakdown by key family");
    Console.Error.WriteLine("  feed [--quick] [--out <file>]  feed latency and fan-out only (sections 3 and 4 of all)");
    Console.Error.WriteLine("  feed --subscribers N [--rate R] [--per-member M] [--seconds S] [--quick] [--out <file>]   the many-subscriber step alone (default 5,000 x 100/s, 100 per member): hub memory per idle stream, then delivery p99");
    Console.Error.WriteLine("  ingest [--rounds N] [--seconds S] [--set key=value]...   hub ingest (batches of 1,000 unique) vs the raw batched ceiling, per round; --set: a second hub with those settings, A/B in one run");
    Console.Error.WriteLine("  outage [--quick] [--out <file>]  store outage only: time to UNAVAILABLE while Redis is stopped, recovery after it answers (section 8 of all)");
    Console.Error.WriteLine("  pdq [--quick] [--out <file>]   PDQ near-match: index vs brute force over 1M hashes (quick: 100k)");
    Console.Error.WriteLine("  fairness [--quick] [--out <file>] [--flood-concurrency N] [--flooder-nice N] [--flood-values spread|one-bucket] [--trace] [--gc-allocations]   a victim member's Submit/Lookup p99 alone and while another member floods (section 9 of all)");
    Console.Error.WriteLine("  taxii [--signals N] [--limit L] [--out <file>]   TAXII 2.1 paging of N stored signals (default 100,000) vs a raw scan of the same records");
    Console.Error.WriteLine("  taxii-memory [--entries N] [--updates U]   managed bytes per TAXII catalog entry and full-GC pause, compact catalog vs the old sorted set (default 1M entries, N/10 updates; no Redis)");
    Console.Error.WriteLine("  vpdq [--quick] [--out <file>]   vPDQ hashing speed for 640x360 H.264 on one core vs real time (video made with ffmpeg's testsrc)");
    Console.Error.WriteLine("  video-lookup [--quick] [--videos N] [--frames F] [--out <file>]   video near-match over N stored videos (default 100,000 x 30 frames) vs brute force; bytes/video");
    Console.Error.WriteLine("  startup [--rounds N] [--signals N] [--variants jit,jit-pgo-off,r2r,r2r-pgo-off] [--publish-root dir] [--reuse-publish] [--warm-after S] [--out file]   a published replica's start-up per variant (JIT, ReadyToRun, tiered PGO off): to gRPC port, to ready, first calls, first 10 s, warm");
    Console.Error.WriteLine("  cold [--signals N] [--publish-root dir] [--reuse-publish]   a published replica's cold start to ready at 1M and N stored signals (default 10M) and exact Lookup p50/p99 over gRPC at each");
    return 2;
}

return command(args[1..]);
