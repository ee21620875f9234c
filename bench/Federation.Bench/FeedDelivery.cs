using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;

namespace Federation.Bench;

/// <summary>
/// Feed latency and fan-out: S subscribers (Subscribe LATEST over real gRPC, 50 per member, one connection per
/// member) in a separate <c>feed-clients</c> process (<see cref="FeedClients"/>) while one member submits at a
/// fixed rate in small batches every 10 ms from this process, where the hub runs. Latency is submit → delivery:
/// from just before the Submit call (stamped into the value) to the moment a subscriber has read the update, one
/// monotonic clock on one machine.
/// </summary>
internal static class FeedDelivery
{
    private const int SubscribersPerMember = 50;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    public sealed record Result(
        int Subscribers, int SignalsPerSecond, double Seconds, long Submitted, long Expected, long Delivered,
        double DeliveriesPerSecond, double P50Ms, double P99Ms, double MaxMs, long WorkingSetBytesPerThousand, long ManagedBytesPerThousand,
        double HubCpuSeconds, double ClientCpuSeconds, double EmittedP50Ms, double EmittedP99Ms);

    /// <summary>The subscriber process, reusable across rate steps.</summary>
    public sealed class Audience : IAsyncDisposable
    {
        private readonly Process process;
        private readonly string tokenFile;

        private Audience(Process process, string tokenFile, int count)
        {
            this.process = process;
            this.tokenFile = tokenFile;
            Count = count;
        }

        public int Count { get; }

        /// <summary>Hub process working set growth while the streams opened (the clients are elsewhere).</summary>
        public long WorkingSetDelta { get; private set; }

        public long ManagedDelta { get; private set; }

        public static async Task<Audience> OpenAsync(BenchHub hub, int subscribers)
        {
            var members = (subscribers + SubscribersPerMember - 1) / SubscribersPerMember;
            var tokens = new List<string>(members);
            for (var m = 0; m < members; m++)
            {
                tokens.Add(await hub.CreateReaderTokenAsync("bench-sub"));
            }

            return await OpenAsync(hub.GrpcAddress, tokens, subscribers);
        }

        /// <summary>Opens <paramref name="subscribers"/> streams to <paramref name="address"/> (the hub or an anchor), one connection per token.</summary>
        public static async Task<Audience> OpenAsync(string address, IReadOnlyList<string> tokens, int subscribers)
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
                "--per-member", SubscribersPerMember.ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start feed-clients");
            var audience = new Audience(process, tokenFile, subscribers);
            var ready = await audience.ReadAsync("ready", TimeSpan.FromSeconds(60));
            var missing = ready.GetProperty("missing").GetInt32();
            if (missing > 0)
            {
                await audience.DisposeAsync();
                throw new InvalidOperationException($"{missing} of {subscribers} subscribers never received a heartbeat within 30 s");
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            audience.ManagedDelta = GC.GetTotalMemory(forceFullCollection: true) - managed;
            audience.WorkingSetDelta = Environment.WorkingSet - workingSet;
            return audience;
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

    /// <summary>Submits <paramref name="rate"/> signals per second for <paramref name="duration"/>, then waits (bounded) for the deliveries.</summary>
    public static Task<Result> RunAsync(Audience audience, BenchMember publisher, int rate, TimeSpan duration, int seed) =>
        RunAsync(audience, request => publisher.Signals.SubmitAsync(request).ResponseAsync, rate, duration, seed);

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
        var inFlight = new List<Task>(ticks);
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
            inFlight.Add(submit(request));
        }

        await Task.WhenAll(inFlight);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        long submitted = (long)ticks * perTick;
        var expected = submitted * audience.Count;
        var collected = await audience.CommandAsync($"collect {expected} {(int)Drain.TotalMilliseconds}", "collected", Drain + TimeSpan.FromSeconds(30));
        var hubCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - hubCpu).TotalSeconds;
        var delivered = collected.GetProperty("delivered").GetInt64();
        var lastReceive = collected.GetProperty("lastReceive").GetInt64();
        var deliveredSeconds = Math.Max(sendSeconds, lastReceive == 0 ? sendSeconds : Stopwatch.GetElapsedTime(started, lastReceive).TotalSeconds);
        return new Result(audience.Count, rate, sendSeconds, submitted, expected, delivered, delivered / deliveredSeconds,
            collected.GetProperty("p50Ms").GetDouble(), collected.GetProperty("p99Ms").GetDouble(), collected.GetProperty("maxMs").GetDouble(),
            audience.WorkingSetDelta * 1000 / audience.Count, audience.ManagedDelta * 1000 / audience.Count,
            hubCpuSeconds, collected.GetProperty("cpuSeconds").GetDouble() - reset.GetProperty("cpuSeconds").GetDouble(),
            collected.GetProperty("emittedP50Ms").GetDouble(), collected.GetProperty("emittedP99Ms").GetDouble());
    }
}
