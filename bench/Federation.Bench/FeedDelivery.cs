using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;

namespace Federation.Bench;

/// <summary>
/// Feed latency and fan-out: S subscribers (Subscribe LATEST over real gRPC, 50 per member by default, one channel per
/// member) in a separate <c>feed-clients</c> process (<see cref="FeedClients"/>) while one member submits at a
/// fixed rate in small batches every 10 ms from this process, where the hub runs. Latency is submit → delivery:
/// from just before the Submit call (stamped into the value) to the moment a subscriber has read the update, one
/// monotonic clock on one machine.
/// </summary>
internal static class FeedDelivery
{
    /// <summary>Streams per member unless told: half of the hub's default Federation:Fairness:MaxStreamsPerMember.</summary>
    public const int DefaultSubscribersPerMember = 50;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan WarmUpSlice = TimeSpan.FromSeconds(1);

    public sealed record Result(
        int Subscribers, int SignalsPerSecond, double Seconds, long Submitted, long Expected, long Delivered,
        double DeliveriesPerSecond, double P50Ms, double P99Ms, double MaxMs, long WorkingSetBytesPerThousand, long ManagedBytesPerThousand,
        double HubCpuSeconds, double ClientCpuSeconds, double EmittedP50Ms, double EmittedP99Ms, double HubJitMs, double ClientJitMs,
        double PublishP50Ms, double PublishP99Ms);

    /// <summary>
    /// The hub process's working set and managed heap at one moment, each as a delta over the moment before the streams
    /// were opened, per stream (the subscribers are in the feed-clients process, so this is the hub's side alone).
    /// </summary>
    public sealed record MemoryPoint(string Moment, long WorkingSetBytes, long ManagedBytes, double WorkingSetPerStream, double ManagedPerStream);

    /// <summary>The subscriber process, reusable across rate steps.</summary>
    public sealed class Audience : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string tokenFile;

        private readonly long workingSetBefore;
        private readonly long managedBefore;

        private Audience(Process process, string tokenFile, int count, long workingSetBefore, long managedBefore)
        {
            this.process = process;
            this.tokenFile = tokenFile;
            this.workingSetBefore = workingSetBefore;
            this.managedBefore = managedBefore;
            Count = count;
        }

        public int Count { get; }

        /// <summary>Seconds from starting the client process to every stream having received its first message.</summary>
        public double OpenSeconds { get; private set; }

        /// <summary>The hub's memory per stream as measured so far: opened (no GC), after a forced GC, then any <see cref="MeasureAsync"/>.</summary>
        public List<MemoryPoint> Memory { get; } = [];

        /// <summary>Hub process working set growth while the streams opened (the clients are elsewhere).</summary>
        public long WorkingSetDelta { get; private set; }

        public long ManagedDelta { get; private set; }

        public static async Task<Audience> OpenAsync(BenchHub hub, int subscribers, int perMember = DefaultSubscribersPerMember)
        {
            var members = (subscribers + perMember - 1) / perMember;
            var tokens = new List<string>(members);
            for (var m = 0; m < members; m++)
            {
                tokens.Add(await hub.CreateReaderTokenAsync("bench-sub"));
            }

            return await OpenAsync(hub.GrpcAddress, tokens, subscribers, perMember);
        }

        /// <summary>Opens <paramref name="subscribers"/> streams to <paramref name="address"/> (the hub or an anchor), one connection per token.</summary>
        public static async Task<Audience> OpenAsync(string address, IReadOnlyList<string> tokens, int subscribers, int perMember = DefaultSubscribersPerMember)
        {
            var tokenFile = Path.GetTempFileName();
            await File.WriteAllLinesAsync(tokenFile, tokens);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var workingSet = Environment.WorkingSet;
            var managed = GC.GetTotalMemory(forceFullCollection: true);

            var path = Environment.ProcessPath ?? "dotnet";
            var start = new ProcessStartInfo(path)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(path) == "dotnet")
            {
                start.ArgumentList.Add(typeof(FeedClients).Assembly.Location);
            }

            foreach (var arg in new[]
            {
                "feed-clients", "--address", address, "--tokens", tokenFile,
                "--subscribers", subscribers.ToString(CultureInfo.InvariantCulture),
                "--per-member", perMember.ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(arg);
            }

            var opening = Stopwatch.StartNew();
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start feed-clients");
            var audience = new Audience(process, tokenFile, subscribers, workingSet, managed);
            var ready = await audience.ReadAsync("ready", TimeSpan.FromSeconds(150));
            audience.OpenSeconds = opening.Elapsed.TotalSeconds;
            var missing = ready.GetProperty("missing").GetInt32();
            if (missing > 0)
            {
                await audience.DisposeAsync();
                throw new InvalidOperationException($"{missing} of {subscribers} subscribers never received a heartbeat while opening");
            }

            audience.Note("opened", GC.GetTotalMemory(forceFullCollection: false));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            audience.Note("after forced GC", GC.GetTotalMemory(forceFullCollection: true));
            audience.ManagedDelta = audience.Memory[^1].ManagedBytes;
            audience.WorkingSetDelta = audience.Memory[^1].WorkingSetBytes;
            return audience;
        }

        /// <summary>Waits <paramref name="idle"/> with the streams open and idle (heartbeats only), then notes the hub's memory after a forced GC.</summary>
        public async Task<MemoryPoint> MeasureAsync(string moment, TimeSpan idle)
        {
            await Task.Delay(idle);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return Note(moment, GC.GetTotalMemory(forceFullCollection: true));
        }

        private MemoryPoint Note(string moment, long managed)
        {
            var workingSet = Environment.WorkingSet - workingSetBefore;
            var point = new MemoryPoint(moment, workingSet, managed - managedBefore, (double)workingSet / Count, (double)(managed - managedBefore) / Count);
            Memory.Add(point);
            return point;
        }

        public async Task<JsonElement> CommandAsync(string command, string reply, TimeSpan timeout)
        {
            await process.StandardInput.WriteLineAsync(command);
            await process.StandardInput.FlushAsync();
            return await ReadAsync(reply, timeout);
        }

        private async Task<JsonElement> ReadAsync(string expected, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            for (var lines = 0; lines < 1000; lines++)
            {
                var line = await process.StandardOutput.ReadLineAsync(cancel.Token)
                    ?? throw new InvalidOperationException($"feed-clients exited (code {(process.HasExited ? process.ExitCode : -1)}) before '{expected}'");
                if (!line.StartsWith('{'))
                {
                    continue;
                }

                var element = JsonDocument.Parse(line).RootElement;
                if (element.GetProperty("event").GetString() == expected)
                {
                    return element;
                }
            }

            throw new InvalidOperationException($"feed-clients never answered '{expected}'");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                {
                    await process.StandardInput.WriteLineAsync("quit");
                    await process.StandardInput.FlushAsync();
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    try
                    {
                        await process.WaitForExitAsync(wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill();
                    }
                }
            }
            finally
            {
                process.Dispose();
                File.Delete(tokenFile);
            }
        }
    }

    /// <summary>
    /// The uncounted warm-up before a measured step: one-second slices at <paramref name="rate"/> for at least
    /// <paramref name="minimum"/>, then until <see cref="JitWarmUp"/> finds the JIT settled. A fixed warm-up measured
    /// the tiered JIT instead of the path: 5 s into the hub's first step, JIT compilation still took a quarter of the hub
    /// process's CPU samples (perf), while the anchors, run later in the same process, found Kestrel's and gRPC's code
    /// compiled already.
    /// </summary>
    public static Task<JitWarmUp.Outcome> WarmUpAsync(Audience audience, Func<SubmitRequest, Task> submit, int rate, TimeSpan minimum, int seed) =>
        JitWarmUp.RunAsync(async () =>
        {
            var slice = await RunAsync(audience, submit, rate, WarmUpSlice, seed);
            return (slice.HubJitMs, slice.ClientJitMs);
        }, minimum);

    /// <summary><see cref="WarmUpAsync(Audience, Func{SubmitRequest, Task}, int, TimeSpan, int)"/> through the hub's Submit.</summary>
    public static Task<JitWarmUp.Outcome> WarmUpAsync(Audience audience, BenchMember publisher, int rate, TimeSpan minimum, int seed) =>
        WarmUpAsync(audience, Submitter(publisher), rate, minimum, seed);

    private static Func<SubmitRequest, Task> Submitter(BenchMember publisher) => request => publisher.Signals.SubmitAsync(request).ResponseAsync;

    /// <summary>Submits <paramref name="rate"/> signals per second for <paramref name="duration"/>, then waits (bounded) for the deliveries.</summary>
    public static Task<Result> RunAsync(Audience audience, BenchMember publisher, int rate, TimeSpan duration, int seed) =>
        RunAsync(audience, Submitter(publisher), rate, duration, seed);

    /// <summary>As above, with <paramref name="submit"/> in place of the hub's Submit (an anchor's in-memory publisher).</summary>
    public static async Task<Result> RunAsync(Audience audience, Func<SubmitRequest, Task> submit, int rate, TimeSpan duration, int seed)
    {
        var signals = new BenchSignals(seed);
        var perTick = Math.Max(1, (int)Math.Round(rate * Tick.TotalSeconds));
        var ticks = (int)(duration / Tick);
        var requests = new SubmitRequest[ticks];
        var suffixes = new string[ticks][];
        for (var t = 0; t < ticks; t++)
        {
            requests[t] = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            suffixes[t] = new string[perTick];
            for (var i = 0; i < perTick; i++)
            {
                suffixes[t][i] = signals.NextValue();
                requests[t].Items.Add(BenchSignals.Submission(suffixes[t][i]));
            }
        }

        var origin = Stopwatch.GetTimestamp();
        var reset = await audience.CommandAsync($"reset {origin.ToString(CultureInfo.InvariantCulture)}", "reset", TimeSpan.FromSeconds(10));
        var hubCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var hubJit = System.Runtime.JitInfo.GetCompilationTime();
        var inFlight = new List<Task>(ticks);
        // How long each publish (the hub's Submit, or the anchor's in-memory publisher) took: the part of the latency
        // before the update exists.
        var publishMs = new double[ticks];
        var clock = Stopwatch.StartNew();
        var started = Stopwatch.GetTimestamp();
        for (var t = 0; t < ticks; t++)
        {
            var due = Tick * t;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var request = requests[t];
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < perTick; i++)
            {
                request.Items[i].Value = FeedClients.Stamp(now, suffixes[t][i]);
            }

            // Fixed rate: a slow answer does not delay the next tick.
            inFlight.Add(TimedAsync(submit(request), now, publishMs, t));
        }

        await Task.WhenAll(inFlight);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        long submitted = (long)ticks * perTick;
        var expected = submitted * audience.Count;
        var collected = await audience.CommandAsync($"collect {expected} {(int)Drain.TotalMilliseconds}", "collected", Drain + TimeSpan.FromSeconds(30));
        var hubCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - hubCpu).TotalSeconds;
        var hubJitMs = (System.Runtime.JitInfo.GetCompilationTime() - hubJit).TotalMilliseconds;
        var delivered = collected.GetProperty("delivered").GetInt64();
        var publish = LatencyStats.From([.. publishMs]);
        var lastReceive = collected.GetProperty("lastReceive").GetInt64();
        var deliveredSeconds = Math.Max(sendSeconds, lastReceive == 0 ? sendSeconds : Stopwatch.GetElapsedTime(started, lastReceive).TotalSeconds);
        return new Result(audience.Count, rate, sendSeconds, submitted, expected, delivered, delivered / deliveredSeconds,
            collected.GetProperty("p50Ms").GetDouble(), collected.GetProperty("p99Ms").GetDouble(), collected.GetProperty("maxMs").GetDouble(),
            audience.WorkingSetDelta * 1000 / audience.Count, audience.ManagedDelta * 1000 / audience.Count,
            hubCpuSeconds, collected.GetProperty("cpuSeconds").GetDouble() - reset.GetProperty("cpuSeconds").GetDouble(),
            collected.GetProperty("emittedP50Ms").GetDouble(), collected.GetProperty("emittedP99Ms").GetDouble(),
            hubJitMs, collected.GetProperty("jitMs").GetDouble() - reset.GetProperty("jitMs").GetDouble(),
            publish.P50Ms, publish.P99Ms);
    }

    private static async Task TimedAsync(Task publish, long started, double[] publishMs, int tick)
    {
        await publish.ConfigureAwait(false);
        publishMs[tick] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
