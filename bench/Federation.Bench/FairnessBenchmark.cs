using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;
using Federation.Hub.Storage;

namespace Federation.Bench;

/// <summary>
/// <c>fairness</c> (and section 9 of <c>all</c>): does one member flooding the hub degrade another? A victim member in
/// this process sends paced Submit calls (100-item batches) and Lookup calls (10 stored values) — first alone (the
/// baseline), then while a flooding member in a separate <c>flood-clients</c> process runs many concurrent Submit calls
/// of 1,000-item batches flat out, ignoring retry hints. Target (DESIGN): the victim's p99 during the flood ≤ 2× its
/// p99 without it, for Submit and for Lookup, same run.
/// </summary>
internal static class FairnessBenchmark
{
    private const int VictimBatch = 100;
    private const int LookupBatch = 10;
    private const int DefaultFloodConcurrency = 64;
    private const int FloodBatch = 1000;
    private static readonly TimeSpan SubmitInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LookupInterval = TimeSpan.FromMilliseconds(20);
    private static int victimFailures;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public sealed record Flood(
        int Concurrency, int Batch, double Seconds, long OkCalls, long AcceptedItems, double ItemsPerSecond, long Refused, double RefusedPerSecond,
        long Failed, double ClientCpuSeconds);

    public sealed record Result(
        LatencyStats SubmitAlone, LatencyStats LookupAlone, LatencyStats SubmitFlooded, LatencyStats LookupFlooded,
        double SubmitRatio, double LookupRatio, Flood Flooder, double HubCpuSecondsAlone, double HubCpuSecondsFlooded, string LoadBefore, string LoadAfter)
    {
        public bool Met => SubmitRatio <= 2 && LookupRatio <= 2;
    }

    /// <summary><c>fairness [--quick] [--out file]</c>: this step alone on its own redis-server and hub.</summary>
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var outFile = BenchPaths.Option(args, "--out") ?? BenchPaths.ResultsFile("fairness.json");
        var concurrency = int.Parse(BenchPaths.Option(args, "--flood-concurrency") ?? DefaultFloodConcurrency.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return RunAloneAsync(quick ? TimeSpan.FromSeconds(6) : TimeSpan.FromSeconds(15), outFile, concurrency).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAloneAsync(TimeSpan step, string outFile, int floodConcurrency)
    {
        Console.WriteLine($"Federation fairness benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {LoadAverage()}");
        var work = Directory.CreateTempSubdirectory("federation-bench-").FullName;
        try
        {
            using var redisServer = LocalRedisServer.Start(Path.Combine(work, "redis"), persistent: false);
            await using var hub = await BenchHub.StartAsync(redisServer.ConnectionString, Path.Combine(work, "hub"));
            var result = await RunAsync(hub, step, 5000, floodConcurrency);
            Print(result);
            File.WriteAllText(outFile, JsonSerializer.Serialize(new { benchmark = "fairness", measuredAt = DateTimeOffset.UtcNow, processorCount = Environment.ProcessorCount, result }, Json));
            Console.WriteLine($"written: {outFile}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static async Task<Result> RunAsync(BenchHub hub, TimeSpan step, int seed, int floodConcurrency = DefaultFloodConcurrency)
    {
        using var victim = await hub.CreateMemberAsync("bench-victim");
        var floodToken = await hub.CreateTokenAsync("bench-flood", "signals.submit");
        var signals = new BenchSignals(seed);
        var stored = new List<string>();
        var loadBefore = LoadAverage();

        // Uncounted warm-up: JIT of the victim's paths and a pool of stored values for its look-ups.
        await VictimAsync(victim, signals, stored, TimeSpan.FromSeconds(2));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (submitAlone, lookupAlone) = await VictimAsync(victim, signals, stored, step);
        var cpuAlone = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, floodToken);
        try
        {
            // The flood runs 1 s before and after the measured window, so the victim is measured in a flood throughout.
            using var flooder = StartFlooder(hub.GrpcAddress, tokenFile, step + TimeSpan.FromSeconds(2), floodConcurrency);
            await ReadEventAsync(flooder, "started", TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(1));
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (submitFlooded, lookupFlooded) = await VictimAsync(victim, signals, stored, step);
            var cpuFlooded = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var done = await ReadEventAsync(flooder, "done", step + TimeSpan.FromSeconds(60));
            await flooder.WaitForExitAsync();
            var flood = new Flood(
                floodConcurrency, FloodBatch, done.GetProperty("seconds").GetDouble(), done.GetProperty("okCalls").GetInt64(),
                done.GetProperty("acceptedItems").GetInt64(), done.GetProperty("itemsPerSecond").GetDouble(), done.GetProperty("refused").GetInt64(),
                done.GetProperty("refusedPerSecond").GetDouble(), done.GetProperty("failed").GetInt64(), done.GetProperty("cpuSeconds").GetDouble());
            return new Result(
                submitAlone, lookupAlone, submitFlooded, lookupFlooded,
                submitFlooded.P99Ms / submitAlone.P99Ms, lookupFlooded.P99Ms / lookupAlone.P99Ms, flood, cpuAlone, cpuFlooded, loadBefore, LoadAverage());
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    public static void Print(Result r)
    {
        Console.WriteLine($"  victim alone:   Submit p50 {r.SubmitAlone.P50Ms:F1} / p99 {r.SubmitAlone.P99Ms:F1} ms ({r.SubmitAlone.Count} calls), Lookup p50 {r.LookupAlone.P50Ms:F1} / p99 {r.LookupAlone.P99Ms:F1} ms ({r.LookupAlone.Count} calls); hub process CPU {r.HubCpuSecondsAlone:F1} s");
        Console.WriteLine($"  victim flooded: Submit p50 {r.SubmitFlooded.P50Ms:F1} / p99 {r.SubmitFlooded.P99Ms:F1} ms ({r.SubmitFlooded.Count} calls), Lookup p50 {r.LookupFlooded.P50Ms:F1} / p99 {r.LookupFlooded.P99Ms:F1} ms ({r.LookupFlooded.Count} calls); hub process CPU {r.HubCpuSecondsFlooded:F1} s");
        Console.WriteLine($"  ratios: Submit {r.SubmitRatio:F2}x, Lookup {r.LookupRatio:F2}x (target <= 2x): {(r.Met ? "met" : "MISSED")}");
        Console.WriteLine($"  flooder ({r.Flooder.Concurrency} concurrent Submit x {r.Flooder.Batch:N0} items, retry hints ignored, separate process): {r.Flooder.ItemsPerSecond:N0} items/s accepted, {r.Flooder.OkCalls:N0} calls ok, {r.Flooder.Refused:N0} refused ({r.Flooder.RefusedPerSecond:N0}/s), {r.Flooder.Failed} failed; client CPU {r.Flooder.ClientCpuSeconds:F1} s");
        Console.WriteLine($"  load average before {r.LoadBefore}, after {r.LoadAfter}");
    }

    // One paced Submit loop and one paced Lookup loop, concurrently, for the duration; latency around each call.
    private static async Task<(LatencyStats Submit, LatencyStats Lookup)> VictimAsync(BenchMember victim, BenchSignals signals, List<string> stored, TimeSpan duration)
    {
        var submitted = new List<string>();
        var submit = PacedAsync(SubmitInterval, duration, async () =>
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = 0; i < VictimBatch; i++)
            {
                request.Items.Add(BenchSignals.Submission(signals.NextValue()));
            }

            var started = Stopwatch.GetTimestamp();
            await CountFailureAsync(victim.Signals.SubmitAsync(request).ResponseAsync);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            submitted.AddRange(request.Items.Take(LookupBatch).Select(item => item.Value));
            return elapsed;
        });

        var pool = stored.Count > 0 ? stored.ToArray() : null;
        var random = new Random(stored.Count);
        var lookup = PacedAsync(LookupInterval, duration, async () =>
        {
            var request = new LookupRequest();
            for (var i = 0; i < LookupBatch; i++)
            {
                request.Queries.Add(new LookupQuery { Type = SignalType.Sha256, Value = pool is null ? signals.NextValue() : pool[random.Next(pool.Length)] });
            }

            var started = Stopwatch.GetTimestamp();
            await CountFailureAsync(victim.Signals.LookupAsync(request).ResponseAsync);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        });

        var results = await Task.WhenAll(submit, lookup);
        stored.AddRange(submitted);
        return (results[0], results[1]);
    }

    // A failed victim call (seen with the gate disabled: the flood starves the hub) counts with its latency; the
    // number is printed, so a run never hides that the victim was refused or failed.
    private static async Task CountFailureAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (Grpc.Core.RpcException e)
        {
            Interlocked.Increment(ref victimFailures);
            Console.WriteLine($"  victim call failed: {e.StatusCode} {e.Status.Detail}");
        }
    }

    // A call every interval (the next one at once when a call took longer), bounded by time and count.
    private static async Task<LatencyStats> PacedAsync(TimeSpan interval, TimeSpan duration, Func<Task<double>> call)
    {
        await Task.Yield();
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        var limit = (int)(duration / interval) + 1;
        for (var i = 0; i < limit && clock.Elapsed < duration; i++)
        {
            var wait = (interval * i) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            samples.Add(await call());
        }

        return LatencyStats.From(samples);
    }

    private static Process StartFlooder(string address, string tokenFile, TimeSpan seconds, int concurrency)
    {
        var path = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(typeof(FloodClients).Assembly.Location);
        }

        foreach (var arg in new[]
        {
            "flood-clients", "--address", address, "--token-file", tokenFile,
            "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
            "--batch", FloodBatch.ToString(CultureInfo.InvariantCulture),
            "--seconds", seconds.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start flood-clients");
    }

    private static async Task<JsonElement> ReadEventAsync(Process process, string expected, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        for (var lines = 0; lines < 1000; lines++)
        {
            var line = await process.StandardOutput.ReadLineAsync(cancel.Token)
                ?? throw new InvalidOperationException($"flood-clients exited (code {(process.HasExited ? process.ExitCode : -1)}) before '{expected}'");
            if (line.StartsWith('{') && JsonDocument.Parse(line).RootElement is var element && element.GetProperty("event").GetString() == expected)
            {
                return element;
            }
        }

        throw new InvalidOperationException($"flood-clients never answered '{expected}'");
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
