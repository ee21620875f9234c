using System.Collections.Concurrent;
using System.Diagnostics;
using Federation.Contracts.V1;
using Grpc.Core;

namespace Federation.Bench;

/// <summary>
/// Feed latency and fan-out: S subscribers (Subscribe LATEST over real gRPC, spread over several members and
/// connections) while one member submits at a fixed rate in small batches every 10 ms. Latency is submit → delivery:
/// from just before the Submit call to the moment a subscriber has read the update, all on one clock.
/// </summary>
internal static class FeedDelivery
{
    private const int SubscribersPerMember = 50;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    public sealed record Result(
        int Subscribers, int SignalsPerSecond, double Seconds, long Submitted, long Expected, long Delivered,
        double DeliveriesPerSecond, double P50Ms, double P99Ms, double MaxMs, long WorkingSetBytesPerThousand, long ManagedBytesPerThousand);

    /// <summary>Open subscribers, reusable across rate steps.</summary>
    public sealed class Audience : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly List<Task> readers = [];
        private readonly List<BenchMember> members;
        private readonly long[] received;

        private Audience(List<BenchMember> members, int subscribers)
        {
            this.members = members;
            received = new long[subscribers];
            Latencies = new List<double>[subscribers];
        }

        /// <summary>Value → Stopwatch timestamp taken just before its Submit call.</summary>
        public ConcurrentDictionary<string, long> SentAt { get; } = new(StringComparer.Ordinal);

        public List<double>[] Latencies { get; }

        public long WorkingSetDelta { get; private set; }

        public long ManagedDelta { get; private set; }

        public int Count => received.Length;

        public long Delivered => Latencies.Sum(l => (long)l.Count);

        public static async Task<Audience> OpenAsync(BenchHub hub, int subscribers)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var workingSet = Environment.WorkingSet;
            var managed = GC.GetTotalMemory(forceFullCollection: true);
            var members = await hub.CreateMembersAsync("bench-sub", (subscribers + SubscribersPerMember - 1) / SubscribersPerMember);
            var audience = new Audience(members, subscribers);
            for (var s = 0; s < subscribers; s++)
            {
                audience.Latencies[s] = new List<double>(1024);
                audience.readers.Add(audience.ReadAsync(members[s / SubscribersPerMember], s));
            }

            // Attached once every stream has delivered something (a heartbeat arrives within a second).
            var deadline = Stopwatch.StartNew();
            while (audience.received.Any(r => r == 0) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }

            var missing = audience.received.Count(r => r == 0);
            if (missing > 0)
            {
                throw new InvalidOperationException($"{missing} of {subscribers} subscribers never received a heartbeat within 30 s");
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            audience.ManagedDelta = GC.GetTotalMemory(forceFullCollection: true) - managed;
            audience.WorkingSetDelta = Environment.WorkingSet - workingSet;
            return audience;
        }

        private async Task ReadAsync(BenchMember member, int index)
        {
            await Task.Yield();
            try
            {
                using var call = member.Signals.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest }, cancellationToken: stop.Token);
                var latencies = Latencies[index];
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    var now = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref received[index]);
                    var update = call.ResponseStream.Current.Update;
                    if (update.Kind == UpdateKind.Created && SentAt.TryGetValue(update.Signal.Value, out var sent))
                    {
                        lock (latencies)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                        }
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled || stop.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void Reset()
        {
            foreach (var latencies in Latencies)
            {
                lock (latencies)
                {
                    latencies.Clear();
                }
            }

            SentAt.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            foreach (var member in members)
            {
                member.Dispose();
            }

            stop.Dispose();
        }
    }

    /// <summary>Submits <paramref name="rate"/> signals per second for <paramref name="duration"/>, then waits (bounded) for the deliveries.</summary>
    public static async Task<Result> RunAsync(Audience audience, BenchMember publisher, int rate, TimeSpan duration, int seed)
    {
        audience.Reset();
        var signals = new BenchSignals(seed);
        var perTick = Math.Max(1, (int)Math.Round(rate * Tick.TotalSeconds));
        var ticks = (int)(duration / Tick);
        var requests = new SubmitRequest[ticks];
        for (var t = 0; t < ticks; t++)
        {
            requests[t] = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = 0; i < perTick; i++)
            {
                requests[t].Items.Add(BenchSignals.Submission(signals.NextValue()));
            }
        }

        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (var t = 0; t < ticks; t++)
        {
            var due = Tick * t;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var request = requests[t];
            var now = Stopwatch.GetTimestamp();
            foreach (var item in request.Items)
            {
                audience.SentAt[item.Value] = now;
            }

            // Fixed rate: a slow answer does not delay the next tick.
            inFlight.Add(publisher.Signals.SubmitAsync(request).ResponseAsync);
        }

        await Task.WhenAll(inFlight);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        long submitted = (long)ticks * perTick;
        var expected = submitted * audience.Count;
        var drain = Stopwatch.StartNew();
        while (audience.Delivered < expected && drain.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        var all = new List<double>((int)Math.Min(expected, int.MaxValue));
        foreach (var latencies in audience.Latencies)
        {
            lock (latencies)
            {
                all.AddRange(latencies);
            }
        }

        var seconds = Math.Max(sendSeconds, clock.Elapsed.TotalSeconds - drain.Elapsed.TotalSeconds);
        var stats = LatencyStats.From(all);
        var deliveredSeconds = sendSeconds + drain.Elapsed.TotalSeconds;
        return new Result(audience.Count, rate, seconds, submitted, expected, all.Count, all.Count / deliveredSeconds,
            stats.P50Ms, stats.P99Ms, stats.MaxMs,
            audience.WorkingSetDelta * 1000 / audience.Count, audience.ManagedDelta * 1000 / audience.Count);
    }
}
