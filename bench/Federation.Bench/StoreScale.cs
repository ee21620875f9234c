using System.Diagnostics;
using Federation.Hub.Storage;

namespace Federation.Bench;

/// <summary>
/// <c>memory --curve</c>: the store's scale curve in one run, driven through the hub's own scripts (no gRPC): after each
/// fill stage, 3 s of batched ingest of new signals and 4,000 exact single-record reads of stored ones (16 in flight).
/// Ratios are against the first stage of the same run.
/// </summary>
internal static class StoreScale
{
    private const int ProbeMaxSignals = 150_000;
    private const int Reads = 4_000;
    private const int ReadersInFlight = 16;

    public sealed record Point(long Stored, double IngestPerSecond, long Ingested, double ReadP50Ms, double ReadP99Ms);

    public static async Task<Point> ProbeAsync(SignalStore store, long stored, int seed, int storedSeed)
    {
        var ingest = await RawRedisBaseline.BatchedAsync(store, 900_002, seed, 1000, ProbeMaxSignals, TimeSpan.FromSeconds(3));
        // The first signals of the first fill stage: stored whatever the stage.
        var signals = new BenchSignals(storedSeed);
        var keys = Enumerable.Range(0, 20_000).Select(_ => signals.NextWrite(store.PartitionCount, 0)).ToArray();
        var random = new Random(seed);
        var latencies = new double[Reads];
        var next = -1;
        var readers = Enumerable.Range(0, ReadersInFlight).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < Reads;)
            {
                var (partition, write) = keys[random.Next(keys.Length)];
                var clock = Stopwatch.StartNew();
                var read = await store.GetByStorageKeysAsync(partition, [write.StorageKey]);
                latencies[i] = clock.Elapsed.TotalMilliseconds;
                if (read[0] is null)
                {
                    throw new InvalidOperationException("an exact read of a stored signal found nothing");
                }
            }
        });
        await Task.WhenAll(readers);
        Array.Sort(latencies);
        var point = new Point(stored, ingest.SignalsPerSecond, ingest.Signals, latencies[Reads / 2], latencies[(int)(Reads * 0.99)]);
        Console.WriteLine($"  at {stored:N0} stored: ingest {point.IngestPerSecond:N0}/s (batches of 1,000, {ingest.Signals:N0} new), exact read p50 {point.ReadP50Ms:F2} ms p99 {point.ReadP99Ms:F2} ms");
        return point;
    }
}
