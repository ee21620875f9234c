using System.Diagnostics;
using System.Globalization;
using Federation.Contracts.V1;
using Federation.Core.Pdq;
using Federation.Hub.Options;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>
/// <c>cold [--signals N]</c> (issue 18, item 2): a replica's cold start against a large store, and exact look-up latency
/// at 1M and at N stored signals in one run. One private Redis is filled in stages through the hub's own submit script
/// (as <c>memory</c> does, the bucket splitter beside it); after each stage a fresh published hub process starts on it,
/// and the bench times start → /health/ready and when each loader says it is done, then calls Lookup over gRPC with a
/// real token (one stored SHA-256 per call, a few in flight) and kills the process by PID.
/// </summary>
internal static class ColdStart
{
    private const string Issuer = "http://federation.bench/";
    private const int PdqSignals = 10_000;
    private const int WarmLookups = 1_000;
    private const int Lookups = 4_000;
    private const int InFlight = 4;
    private const int StoredSeed = 7;
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan LoadersLimit = TimeSpan.FromSeconds(300);

    // The loaders' own "done" lines (Information level) and what the bench calls them.
    private static readonly (string Marker, string Name)[] Loaders =
    [
        ("Feed tail following", "feed tail"),
        ("PDQ index loaded", "PDQ index"),
        ("Video index loaded", "video index"),
        ("TAXII catalog loaded", "TAXII catalog"),
    ];

    public sealed record Point(long Stored, double ReadyMs, double CpuSecondsAtReady, IReadOnlyDictionary<string, double> LoadersMs, double RssMiBAfterLoad, LatencyStats Lookup);

    public static int Run(string[] args)
    {
        var signals = int.Parse(BenchPaths.Option(args, "--signals") ?? "10000000", CultureInfo.InvariantCulture);
        var publishRoot = BenchPaths.Option(args, "--publish-root") ?? Path.Combine(Path.GetTempPath(), "federation-bench-cold-publish");
        return RunAsync(signals, publishRoot, args.Contains("--reuse-publish")).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int signals, string publishRoot, bool reusePublish)
    {
        Console.WriteLine($"Federation cold start: up to {signals:N0} signals, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {FairnessBenchmark.LoadAverage()}");
        // ReadyToRun, as deploy/Dockerfile publishes the hub.
        var (hubDir, reason) = StartupBenchmark.Publish("r2r", publishRoot, reusePublish);
        if (hubDir is null)
        {
            Console.Error.WriteLine("publish failed: " + reason);
            return 1;
        }

        var work = Directory.CreateTempSubdirectory("federation-bench-cold-").FullName;
        try
        {
            using var server = LocalRedisServer.Start(Path.Combine(work, "redis"), persistent: false);
            var dataPath = Path.Combine(work, "hub");
            var (clientId, secret) = await SetUpAsync(server.ConnectionString, dataPath);
            using var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true,asyncTimeout=60000,syncTimeout=60000");
            var options = new FederationOptions();
            var store = new SignalStore(redis, Options.Create(options), TimeProvider.System);
            var splitter = new BucketSplitter(new BucketSplitStore(redis, store), store, Options.Create(options), TimeProvider.System, NullLogger<BucketSplitter>.Instance);
            // The stored values looked up at every point: the first ones of the first stage (stored whatever the stage).
            var seedValues = new BenchSignals(StoredSeed);
            var stored = Enumerable.Range(0, 20_000).Select(_ => seedValues.NextValue()).ToArray();

            var points = new List<Point>();
            long filled = PdqSignals;
            var seed = StoredSeed;
            foreach (var stage in new[] { 1_000_000, signals }.Where(s => s <= signals).Distinct())
            {
                var clock = Stopwatch.StartNew();
                using (var splitting = new CancellationTokenSource())
                {
                    var split = StoreMemory.SplitUntilAsync(splitter, splitting.Token);
                    var more = await RawRedisBaseline.FillAsync(store, 900_002, seed++, (int)Math.Max(0, stage - filled));
                    await splitting.CancelAsync();
                    await split;
                    filled += more.Signals;
                    Console.WriteLine($"fill to {filled:N0}: {more.SignalsPerSecond:N0} signals/s, {clock.Elapsed.TotalSeconds:F0} s with the splitter's tail; Redis used_memory {await StoreMemory.UsedMemoryAsync(redis) / 1048576.0:N0} MiB; load {FairnessBenchmark.LoadAverage()}");
                }

                var point = await MeasureAsync(hubDir, server.ConnectionString, dataPath, clientId, secret, stored, filled);
                points.Add(point);
            }

            Console.WriteLine();
            foreach (var p in points)
            {
                Console.WriteLine($"{p.Stored,12:N0} stored: ready {p.ReadyMs / 1000:F2} s (CPU {p.CpuSecondsAtReady:F1} s), {string.Join(", ", p.LoadersMs.Select(l => $"{l.Key} {l.Value / 1000:F2} s"))}, RSS {p.RssMiBAfterLoad:N0} MiB; exact Lookup p50 {p.Lookup.P50Ms:F2} p99 {p.Lookup.P99Ms:F2} max {p.Lookup.MaxMs:F1} ms ({p.Lookup.Count} calls)");
            }

            if (points.Count > 1)
            {
                Console.WriteLine($"exact Lookup p99 {points[^1].Stored:N0} ÷ {points[0].Stored:N0}: {points[^1].Lookup.P99Ms / points[0].Lookup.P99Ms:F2}x (p50 {points[^1].Lookup.P50Ms / points[0].Lookup.P50Ms:F2}x); load {FairnessBenchmark.LoadAverage()}");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // An in-process hub makes the reader's credentials and the signing key in dataPath, and stores the PDQ signals through
    // Submit (so the PDQ index load has records to index); it is stopped before the bulk fill.
    private static async Task<(string ClientId, string Secret)> SetUpAsync(string redis, string dataPath)
    {
        await using var hub = await BenchHub.StartAsync(redis, dataPath);
        await hub.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        var credentials = await hub.CreateCredentialsAsync("bench-cold", "signals.submit signals.read");
        using var submitter = await hub.CreateMemberAsync("bench-cold-fill");
        var random = new Random(20261203);
        for (var batch = 0; batch < PdqSignals / 1000; batch++)
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = 0; i < 1000; i++)
            {
                var bytes = new byte[32];
                random.NextBytes(bytes);
                request.Items.Add(new SignalSubmission { Type = SignalType.Pdq, Value = PdqHash.FromBytes(bytes).ToString(), Quality = 100, Categories = { Category.Csam } });
            }

            var response = await submitter.Signals.SubmitAsync(request);
            if (response.Summary.Rejected > 0)
            {
                throw new InvalidOperationException("the PDQ fill was rejected: " + response.Results.First(r => r.Error is not null).Error);
            }
        }

        return credentials;
    }

    private static async Task<Point> MeasureAsync(string hubDir, string redis, string dataPath, string clientId, string secret, string[] stored, long count)
    {
        using var hub = HubProcess.Start(hubDir, redis, dataPath, Issuer);
        var ready = await hub.WaitReadyAsync(ReadyLimit);
        Console.WriteLine($"  {count:N0} stored: /health/ready after {ready.Ms / 1000:F2} s (CPU {ready.CpuSeconds:F1} s); load {FairnessBenchmark.LoadAverage()}");
        var loaders = await hub.WaitForLinesAsync(Loaders, LoadersLimit);
        Console.WriteLine("  loaders done at: " + string.Join(", ", loaders.Select(l => $"{l.Key} {l.Value / 1000:F2} s")));
        var rss = hub.WorkingSetMiB;
        // Why ready came when it did: the readiness checks that failed before it (the hub logs each failed check).
        foreach (var check in new[] { "Health check store", "Health check pdqIndex" })
        {
            var (failed, last) = hub.Lines(check, ready.Ms);
            Console.WriteLine($"  {check}: failed {failed} times before ready{(last is null ? "" : "; last " + last)}");
        }


        var token = await StartupBenchmark.TokenAsync(hub.Http, clientId, secret);
        using var channel = GrpcChannel.ForAddress(hub.GrpcAddress);
        var header = "Bearer " + token;
        var client = new SignalService.SignalServiceClient(channel.Intercept(metadata =>
        {
            metadata.Add("Authorization", header);
            return metadata;
        }));
        await LookupsAsync(client, stored, WarmLookups, 1);
        var latencies = await LookupsAsync(client, stored, Lookups, 2);
        var stats = LatencyStats.From(latencies);
        Console.WriteLine($"  exact Lookup (1 stored SHA-256 per call, {InFlight} in flight): p50 {stats.P50Ms:F2} p99 {stats.P99Ms:F2} max {stats.MaxMs:F1} ms; load {FairnessBenchmark.LoadAverage()}");
        return new Point(count, ready.Ms, ready.CpuSeconds, loaders, rss, stats);
    }

    // Lookup calls of one stored SHA-256 value each, InFlight at a time; every one must find its record.
    private static async Task<List<double>> LookupsAsync(SignalService.SignalServiceClient client, string[] stored, int calls, int seed)
    {
        var latencies = new double[calls];
        var next = -1;
        var random = new Random(seed);
        var workers = Enumerable.Range(0, InFlight).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < calls;)
            {
                string value;
                lock (random)
                {
                    value = stored[random.Next(stored.Length)];
                }

                var request = new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = value } } };
                var clock = Stopwatch.StartNew();
                var response = await client.LookupAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
                latencies[i] = clock.Elapsed.TotalMilliseconds;
                if (response.Results.Count != 1 || response.Results[0].Matches.Count == 0)
                {
                    throw new InvalidOperationException($"an exact look-up of a stored value found nothing: {response}");
                }
            }
        });
        await Task.WhenAll(workers);
        return [.. latencies];
    }
}
