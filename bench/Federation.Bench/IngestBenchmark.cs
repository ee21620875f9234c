using System.Globalization;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>
/// <c>ingest [--rounds N] [--seconds S] [--set key=value]...</c>: issue 18 item 5 alone. Each round measures the raw
/// batched ceiling (batches of 1,000 through the submit script, one call per partition) and then the hub ingesting
/// batches of 1,000 unique signals over gRPC, and prints hub ÷ raw for that round, so every ratio has a baseline from
/// the same minute. With <c>--set</c> a second hub on the same Redis runs with those settings overridden and is
/// measured in every round right after the first (A/B in one run: both hubs see the same store and machine).
/// </summary>
internal static class IngestBenchmark
{
    private const long RawMember = 900_011;
    private const int Members = 8;
    private const int MaxSignals = 400_000;

    public static int Run(string[] args)
    {
        var rounds = int.Parse(BenchPaths.Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var step = TimeSpan.FromSeconds(double.Parse(BenchPaths.Option(args, "--seconds") ?? "4", CultureInfo.InvariantCulture));
        var overrides = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value])
            {
                overrides[key] = value;
            }
        }

        return RunAsync(rounds, step, overrides).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int rounds, TimeSpan step, Dictionary<string, string?> overrides)
    {
        Console.WriteLine($"ingest: {Environment.ProcessorCount} cores, {AllBenchmark.CpuModel()}, .NET {Environment.Version}, load {AllBenchmark.LoadAverage()}; {rounds} rounds of {step.TotalSeconds:F0} s steps");
        var work = Directory.CreateTempSubdirectory("federation-bench-ingest-").FullName;
        try
        {
            using var redisServer = LocalRedisServer.Start(Path.Combine(work, "redis"), persistent: false);
            using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.ConnectionString);
            var store = new SignalStore(redis, Options.Create(new FederationOptions()), TimeProvider.System);
            var hubs = new List<(string Name, BenchHub Hub, List<BenchMember> Members, HubIngest.History[] Histories)>();
            await using var a = await BenchHub.StartAsync(redisServer.ConnectionString, Path.Combine(work, "hub-a"));
            hubs.Add(("hub (defaults)", a, await a.CreateMembersAsync("ingest-a", Members), NewHistories()));
            await using var b = overrides.Count == 0 ? null : await BenchHub.StartAsync(redisServer.ConnectionString, Path.Combine(work, "hub-b"), overrides);
            if (b is not null)
            {
                hubs.Add(($"hub ({string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"))})", b, await b.CreateMembersAsync("ingest-b", Members), NewHistories()));
            }

            // Uncounted, by JitWarmUp's rule (the clients run in this process): a fixed 3 s left the JIT with 18 % of this
            // process's CPU samples in the measured hub step (perf); the raw baseline's path is warmed the same way.
            // Each slice has its own seed, so it stores new signals as the measured steps do (not duplicates).
            var warmSeed = 10_000;
            Console.WriteLine($"  raw {await JitWarmUp.RunAsync(() => CompiledDuring(() => RawRedisBaseline.BatchedAsync(store, RawMember, warmSeed++, 1000, MaxSignals, TimeSpan.FromSeconds(1))), TimeSpan.FromSeconds(3))}");
            foreach (var hub in hubs)
            {
                Console.WriteLine($"  {hub.Name} {await JitWarmUp.RunAsync(() => CompiledDuring(() => HubIngest.RunAsync(hub.Members, hub.Histories, 1000, 0, MaxSignals, TimeSpan.FromSeconds(1), warmSeed += 100)), TimeSpan.FromSeconds(3))}");
            }

            var seed = 100;
            var ratios = hubs.Select(_ => new List<double>()).ToArray();
            for (var round = 1; round <= rounds; round++)
            {
                var jit = System.Runtime.JitInfo.GetCompilationTime();
                var raw = await RawRedisBaseline.BatchedAsync(store, RawMember, seed++, 1000, MaxSignals, step);
                Console.WriteLine($"round {round}: {raw.Mode}: {raw.SignalsPerSecond:N0}/s (JIT {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:F0} ms)");
                for (var h = 0; h < hubs.Count; h++)
                {
                    jit = System.Runtime.JitInfo.GetCompilationTime();
                    var run = await HubIngest.RunAsync(hubs[h].Members, hubs[h].Histories, 1000, 0, MaxSignals, step, seed++);
                    ratios[h].Add(run.SignalsPerSecond / raw.SignalsPerSecond);
                    Console.WriteLine($"  {hubs[h].Name}: {run.SignalsPerSecond:N0}/s = {ratios[h][^1]:F2}x raw (batch p50 {run.BatchP50Ms:F1} ms, p99 {run.BatchP99Ms:F1} ms; JIT {(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:F0} ms)");
                }
            }

            for (var h = 0; h < hubs.Count; h++)
            {
                Console.WriteLine($"{hubs[h].Name}: hub ÷ raw batched per round {string.Join(", ", ratios[h].Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "x"))} (median {Median.Of(ratios[h]):F2}x; target >= 1.0x)");
            }

            Console.WriteLine($"load {AllBenchmark.LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // One warm-up slice's JIT time in this process (hub and clients alike), for JitWarmUp.
    private static async Task<(double HereJitMs, double ClientJitMs)> CompiledDuring(Func<Task> slice)
    {
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        await slice();
        return ((System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds, 0);
    }

    private static HubIngest.History[] NewHistories() => Enumerable.Range(0, Members).Select(_ => new HubIngest.History()).ToArray();
}
