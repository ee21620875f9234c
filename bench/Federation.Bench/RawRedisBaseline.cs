using System.Diagnostics;
using Federation.Hub.Storage;

namespace Federation.Bench;

/// <summary>
/// The ceiling: the hub's own dedup script (<see cref="SignalStore.SubmitAsync"/>, signal_submit.lua) driven
/// directly through StackExchange.Redis on the benchmark's Redis, no gRPC, no validation. One call per signal
/// pipelined across partitions is DESIGN.md's definition of the raw ceiling; several signals per call (1,000-signal
/// batches split by partition, as the hub's submitter does) shows what batching the script buys.
/// </summary>
internal static class RawRedisBaseline
{
    /// <summary>Script calls in flight at once; enough to keep Redis busy on loopback.</summary>
    private const int Window = 512;

    // AllocatedBytesPerSignal: the whole process (hub feed tail included) over the run. IssueBytesPerSignal: this thread
    // only, while SignalStore builds and queues each script call — the store's own allocation per signal.
    public sealed record Result(string Mode, long Signals, double Seconds, double SignalsPerSecond, double AllocatedBytesPerSignal, double IssueBytesPerSignal);

    /// <summary>One script call per signal, <see cref="Window"/> calls in flight.</summary>
    public static async Task<Result> OnePerCallAsync(SignalStore store, long memberNumber, int seed, int maxSignals, TimeSpan duration)
    {
        var writes = Generate(store, seed, maxSignals);
        var inFlight = new Task<PartitionSubmitResult>?[Window];
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        long issued = 0;
        for (; sent < writes.Length && clock.Elapsed < duration; sent++)
        {
            var slot = sent % Window;
            if (inFlight[slot] is { } previous)
            {
                await previous;
            }

            var (partition, write) = writes[sent];
            var before = GC.GetAllocatedBytesForCurrentThread();
            inFlight[slot] = store.SubmitAsync(partition, memberNumber, [write]);
            issued += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        foreach (var task in inFlight)
        {
            if (task is not null)
            {
                await task;
            }
        }

        clock.Stop();
        return Finish("raw, 1 signal per call", sent, clock.Elapsed.TotalSeconds, allocated, issued);
    }

    /// <summary>Batches of <paramref name="batchSize"/> split by partition into one call each, <see cref="Window"/> calls in flight.</summary>
    public static async Task<Result> BatchedAsync(SignalStore store, long memberNumber, int seed, int batchSize, int maxSignals, TimeSpan duration)
    {
        var writes = Generate(store, seed, maxSignals);
        var inFlight = new Queue<Task<PartitionSubmitResult>>();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var calls = 0;
        long issued = 0;
        while (sent < writes.Length && clock.Elapsed < duration)
        {
            var count = Math.Min(batchSize, writes.Length - sent);
            var byPartition = new List<SignalWrite>?[store.PartitionCount];
            for (var i = sent; i < sent + count; i++)
            {
                var (partition, write) = writes[i];
                (byPartition[partition] ??= []).Add(write);
            }

            for (var p = 0; p < byPartition.Length; p++)
            {
                if (byPartition[p] is { } items)
                {
                    while (inFlight.Count >= Window)
                    {
                        await inFlight.Dequeue();
                    }

                    var before = GC.GetAllocatedBytesForCurrentThread();
                    inFlight.Enqueue(store.SubmitAsync(p, memberNumber, items));
                    issued += GC.GetAllocatedBytesForCurrentThread() - before;
                    calls++;
                }
            }

            sent += count;
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }

        clock.Stop();
        return Finish($"raw, batches of {batchSize:N0} (~{(double)sent / Math.Max(1, calls):F0} signals per call)", sent, clock.Elapsed.TotalSeconds, allocated, issued);
    }

    /// <summary>Fills the store with <paramref name="count"/> new signals as fast as the batched path goes.</summary>
    public static Task<Result> FillAsync(SignalStore store, long memberNumber, int seed, int count) =>
        BatchedAsync(store, memberNumber, seed, 1000, count, TimeSpan.FromMinutes(30));

    /// <summary>Like <see cref="FillAsync"/>, each signal stating a confidence and an AMBER share level (the record's two label bytes).</summary>
    public static async Task<Result> FillLabelledAsync(SignalStore store, long memberNumber, int seed, int count)
    {
        var writes = Generate(store, seed, count);
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i].Write = writes[i].Write with { Confidence = 80, ShareLevel = Federation.Core.Governance.TlpLevel.Amber };
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var offset = 0; offset < writes.Length; offset += 1000)
        {
            await Task.WhenAll(writes.Skip(offset).Take(1000).GroupBy(w => w.Partition)
                .Select(g => store.SubmitAsync(g.Key, memberNumber, g.Select(w => w.Write).ToList())));
        }

        return Finish("labelled", writes.Length, started.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true), writes.Length);
    }

    private static (int Partition, SignalWrite Write)[] Generate(SignalStore store, int seed, int count)
    {
        var signals = new BenchSignals(seed);
        var expires = DateTimeOffset.UtcNow.AddDays(365).ToUnixTimeSeconds();
        var writes = new (int, SignalWrite)[count];
        for (var i = 0; i < count; i++)
        {
            writes[i] = signals.NextWrite(store.PartitionCount, expires);
        }

        return writes;
    }

    private static Result Finish(string mode, long signals, double seconds, long allocatedBefore, long issued) =>
        new(mode, signals, seconds, signals / seconds, (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)Math.Max(1, signals), issued / (double)Math.Max(1, signals));
}
