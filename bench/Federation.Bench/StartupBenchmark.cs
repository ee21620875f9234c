using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Federation.Contracts.V1;
using Federation.Core.Pdq;
using Federation.Hub.Storage;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>
/// Start-up of a replica (issue 18, item 6): the published hub as a child process, in a few publish/runtime variants
/// (JIT as deployed today, ReadyToRun, tiered PGO off), each started several times in alternating rounds against a
/// fresh Redis loaded from the same snapshot (N signals, one in ten PDQ, so the PDQ index load is part of start-up).
/// Per round: process start to gRPC port accepting and to /health/ready 200, the CPU the process spent until ready,
/// then one client calling Submit (100 items) and Lookup (100 queries) in turn for 10 s after ready, then 200 more of
/// each (warm).
/// </summary>
internal static class StartupBenchmark
{
    private const string Issuer = "http://federation.bench/";
    private const string AdminId = HubProcess.AdminId;
    private const string AdminSecret = HubProcess.AdminSecret;
    private const int BatchItems = 100;
    private const int FirstCalls = 50;
    private const int WarmCalls = 200;
    private static readonly TimeSpan EarlyWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(120);
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    // Runtime knobs a variant may set; removed from the child's environment first so the caller's shell cannot skew a variant.
    private static readonly string[] RuntimeKnobs = ["DOTNET_TieredPGO", "DOTNET_TieredCompilation", "DOTNET_TC_QuickJitForLoops", "DOTNET_ReadyToRun", "DOTNET_OSR_HitLimit", "DOTNET_TC_CallCountThreshold"];

    private sealed record Variant(string Name, string Publish, string Description, IReadOnlyDictionary<string, string> Environment);

    private static readonly Variant[] AllVariants =
    [
        new("jit", "jit", "plain dotnet publish, the JIT build run.sh runs and deploy/Dockerfile published before ReadyToRun (tiered compilation, tiered PGO on)", new Dictionary<string, string>()),
        new("jit-pgo-off", "jit", "the same build, DOTNET_TieredPGO=0 (no instrumented tier)", new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" }),
        new("r2r", "r2r", "-r linux-x64 --self-contained false -p:PublishReadyToRun=true (precompiled app and package assemblies)", new Dictionary<string, string>()),
        new("r2r-pgo-off", "r2r", "the ReadyToRun build, DOTNET_TieredPGO=0", new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" }),
    ];

    public sealed record Round(
        string Variant, int Number, double GrpcPortMs, double LiveMs, double ReadyMs, double CpuSecondsAtReady, double TokenMs,
        double FirstSubmitMs, double FirstLookupMs, LatencyStats First50Submit, LatencyStats First50Lookup,
        LatencyStats EarlySubmit, LatencyStats EarlyLookup, LatencyStats WarmSubmit, LatencyStats WarmLookup,
        double CpuSecondsAtEnd, double WorkingSetMiB);

    /// <summary><c>startup [--rounds N] [--signals N] [--variants a,b] [--publish-root dir] [--reuse-publish] [--warm-after seconds] [--out file]</c>.</summary>
    public static int Run(string[] args)
    {
        var rounds = int.Parse(BenchPaths.Option(args, "--rounds") ?? "4", CultureInfo.InvariantCulture);
        var signals = int.Parse(BenchPaths.Option(args, "--signals") ?? "100000", CultureInfo.InvariantCulture);
        var names = (BenchPaths.Option(args, "--variants") ?? string.Join(',', AllVariants.Select(v => v.Name))).Split(',');
        var variants = AllVariants.Where(v => names.Contains(v.Name)).ToList();
        var publishRoot = BenchPaths.Option(args, "--publish-root") ?? Path.Combine(Path.GetTempPath(), "federation-bench-startup-publish");
        var outFile = BenchPaths.Option(args, "--out") ?? BenchPaths.ResultsFile("startup.json");
        var steady = TimeSpan.FromSeconds(double.Parse(BenchPaths.Option(args, "--warm-after") ?? "10", CultureInfo.InvariantCulture));
        return RunAsync(variants, rounds, signals, publishRoot, args.Contains("--reuse-publish"), steady, outFile).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(List<Variant> variants, int rounds, int signalCount, string publishRoot, bool reusePublish, TimeSpan warmAfter, string outFile)
    {
        Console.WriteLine($"Federation start-up benchmark: {signalCount:N0} signals, {rounds} rounds x {variants.Count} variants, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {FairnessBenchmark.LoadAverage()}");
        var published = new Dictionary<string, string>();
        var skipped = new Dictionary<string, string>();
        foreach (var publish in variants.Select(v => v.Publish).Distinct())
        {
            var (dir, reason) = Publish(publish, publishRoot, reusePublish);
            if (dir is null)
            {
                skipped[publish] = reason!;
                Console.WriteLine($"publish {publish}: skipped, {reason}");
            }
            else
            {
                published[publish] = dir;
            }
        }

        variants = variants.Where(v => published.ContainsKey(v.Publish)).ToList();
        if (variants.Count == 0)
        {
            Console.Error.WriteLine("no variant could be published");
            return 1;
        }

        var work = Directory.CreateTempSubdirectory("federation-bench-startup-").FullName;
        try
        {
            var seed = Path.Combine(work, "seed");
            var dataPath = Path.Combine(work, "hub");
            var fill = await FillAsync(seed, dataPath, signalCount);
            var loadBefore = FairnessBenchmark.LoadAverage();

            // One discarded round first: the client side of this process (gRPC, HTTP/2, protobuf) is JIT-compiled there,
            // so the measured rounds time the replica's start-up, not the benchmark's.
            Console.WriteLine("warm-up round (not counted)");
            _ = await RoundAsync(variants[0], published[variants[0].Publish], seed, dataPath, fill, 0, work, warmAfter);

            var results = new List<Round>();
            for (var r = 1; r <= rounds; r++)
            {
                // Alternating: each variant once per round, so drift in the machine's load falls on all of them alike.
                foreach (var variant in variants)
                {
                    var round = await RoundAsync(variant, published[variant.Publish], seed, dataPath, fill, r, work, warmAfter);
                    Print(round);
                    results.Add(round);
                }
            }

            var loadAfter = FairnessBenchmark.LoadAverage();
            var summaries = variants.Select(v => Summarize(v, results.Where(x => x.Variant == v.Name).ToList())).ToList();
            var baseline = summaries[0];
            Console.WriteLine();
            Console.WriteLine($"medians over {rounds} rounds (ratio to {baseline.Variant}); load before {loadBefore}, after {loadAfter}");
            foreach (var s in summaries)
            {
                Console.WriteLine(
                    $"{s.Variant,-12} gRPC port {s.GrpcPortMs,6:F0} ms  live {s.LiveMs,6:F0} ms  ready {s.ReadyMs,6:F0} ms ({s.ReadyMs / baseline.ReadyMs:F2}x)  CPU to ready {s.CpuSecondsAtReady:F2} s ({s.CpuSecondsAtReady / baseline.CpuSecondsAtReady:F2}x)  token {s.TokenMs:F0} ms  " +
                    $"first Submit {s.FirstSubmitMs:F0} ms, first Lookup {s.FirstLookupMs:F0} ms  first 50 p50/p99 Submit {s.First50SubmitP50Ms:F1}/{s.First50SubmitP99Ms:F1} Lookup {s.First50LookupP50Ms:F1}/{s.First50LookupP99Ms:F1} ms  " +
                    $"first 10 s p50/p99 Submit {s.EarlySubmitP50Ms:F2}/{s.EarlySubmitP99Ms:F1} ({s.EarlySubmitP99Ms / baseline.EarlySubmitP99Ms:F2}x) Lookup {s.EarlyLookupP50Ms:F2}/{s.EarlyLookupP99Ms:F1} ({s.EarlyLookupP99Ms / baseline.EarlyLookupP99Ms:F2}x), calls {s.EarlyCalls:F0}  " +
                    $"warm p99 Submit {s.WarmSubmitP99Ms:F2} ({s.WarmSubmitP99Ms / baseline.WarmSubmitP99Ms:F2}x) Lookup {s.WarmLookupP99Ms:F2} ({s.WarmLookupP99Ms / baseline.WarmLookupP99Ms:F2}x) ms  RSS {s.WorkingSetMiB:F0} MiB");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
            await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(new
            {
                benchmark = "startup",
                measuredAt = DateTimeOffset.UtcNow,
                machine = $"{Environment.ProcessorCount} cores, .NET {Environment.Version}",
                loadBefore,
                loadAfter,
                signals = signalCount,
                pdqSignals = fill.Pdq.Length,
                rounds,
                batchItems = BatchItems,
                earlyWindowSeconds = EarlyWindow.TotalSeconds,
                warmAfterSeconds = warmAfter.TotalSeconds,
                variants = variants.Select(v => new { v.Name, v.Description, environment = v.Environment }),
                skipped,
                summaries,
                results,
            }, Json));
            Console.WriteLine($"written: {outFile}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // dotnet publish of the hub into publishRoot/name; null and a reason when it cannot be built (e.g. no crossgen pack).
    internal static (string? Dir, string? Reason) Publish(string name, string publishRoot, bool reuse)
    {
        var dir = Path.Combine(publishRoot, name);
        if (reuse && File.Exists(Path.Combine(dir, "Federation.Hub.dll")))
        {
            Console.WriteLine($"publish {name}: reusing {dir}");
            return (dir, null);
        }

        var project = Path.Combine(Path.GetDirectoryName(BenchPaths.ResultsFile("x"))!, "..", "..", "src", "Federation.Hub");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["publish", Path.GetFullPath(project), "-c", "Release", "-o", dir, "--nologo"])
        {
            info.ArgumentList.Add(a);
        }

        if (name == "r2r")
        {
            // ReadyToRun needs a runtime identifier (crossgen2 compiles for one); framework-dependent as the default build.
            foreach (var a in (string[])["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"])
            {
                info.ArgumentList.Add(a);
            }
        }

        Console.WriteLine($"publish {name}: dotnet {string.Join(' ', info.ArgumentList)}");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (null, "dotnet publish did not finish within 10 minutes");
        }

        if (process.ExitCode != 0)
        {
            var log = stdout.Result + stderr.Result;
            return (null, $"dotnet publish failed ({process.ExitCode}): {string.Join(" | ", log.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3))}");
        }

        Console.WriteLine($"publish {name}: {clock.Elapsed.TotalSeconds:F0} s, {Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length) / 1048576.0:F1} MiB");
        return (dir, null);
    }

    private sealed record Fill(string ClientId, string Secret, string[] Sha, PdqHash[] Pdq);

    // Fills a Redis through an in-process hub (members, signing key in dataPath, N signals) and saves its snapshot in seed.
    private static async Task<Fill> FillAsync(string seed, string dataPath, int signalCount)
    {
        var clock = Stopwatch.StartNew();
        using var redisServer = LocalRedisServer.Start(seed, persistent: false);
        var random = new Random(20261202);
        var pdq = new PdqHash[signalCount / 10];
        var sha = new string[signalCount - pdq.Length];
        for (var i = 0; i < sha.Length; i++)
        {
            sha[i] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        }

        for (var i = 0; i < pdq.Length; i++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            pdq[i] = PdqHash.FromBytes(bytes);
        }

        (string, string) credentials;
        await using (var hub = await BenchHub.StartAsync(redisServer.ConnectionString, dataPath))
        {
            await hub.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            credentials = await hub.CreateCredentialsAsync("bench-startup", "signals.submit signals.read");
            using var submitter = await hub.CreateMemberAsync("bench-startup-fill");
            var items = sha.Select(v => new SignalSubmission { Type = SignalType.Sha256, Value = v, Categories = { Category.Csam } })
                .Concat(pdq.Select(h => new SignalSubmission { Type = SignalType.Pdq, Value = h.ToString(), Quality = 100, Categories = { Category.Csam } }))
                .Chunk(1000)
                .Select(chunk => new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { chunk } })
                .ToList();
            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, ct) =>
            {
                var response = await submitter.Signals.SubmitAsync(request, cancellationToken: ct);
                if (response.Summary.Rejected > 0)
                {
                    throw new InvalidOperationException($"the fill was rejected: {response.Results.First(r => r.Error is not null).Error}");
                }
            });
        }

        using (var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.ConnectionString + ",allowAdmin=true"))
        {
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            // SAVE in the foreground: nothing else uses this Redis, and the snapshot must be complete before it is copied.
            await server.ExecuteAsync("SAVE");
            Console.WriteLine($"fill: {signalCount:N0} signals ({pdq.Length:N0} PDQ), {await server.DatabaseSizeAsync():N0} keys, snapshot {new FileInfo(Path.Combine(seed, "dump.rdb")).Length / 1048576.0:F1} MiB, {clock.Elapsed.TotalSeconds:F0} s");
        }

        return new Fill(credentials.Item1, credentials.Item2, sha, pdq);
    }

    private static async Task<Round> RoundAsync(Variant variant, string publishDir, string seed, string dataPath, Fill fill, int number, string work, TimeSpan warmAfter)
    {
        // A fresh Redis from the snapshot: every round starts on the same data, whatever the rounds before submitted.
        var redisDir = Path.Combine(work, $"round-{number}-{variant.Name}");
        Directory.CreateDirectory(redisDir);
        File.Copy(Path.Combine(seed, "dump.rdb"), Path.Combine(redisDir, "dump.rdb"));
        using var redisServer = LocalRedisServer.Start(redisDir, persistent: false);
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var info = HubProcess.StartInfo(publishDir, redisServer.ConnectionString, dataPath, Issuer, httpPort, grpcPort, loaderLogs: false);
        foreach (var knob in RuntimeKnobs)
        {
            info.Environment.Remove(knob);
        }

        foreach (var (key, value) in variant.Environment)
        {
            info.Environment[key] = value;
        }

        var output = new Queue<string>();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Enqueue(line);
                if (output.Count > 40)
                {
                    output.Dequeue();
                }
            }
        }

        string Output()
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        try
        {
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            double grpcPortMs = double.NaN, liveMs = double.NaN, readyMs = double.NaN;
            while (double.IsNaN(readyMs))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{variant.Name}: the hub exited with {process.ExitCode}: {Output()}");
                }

                if (clock.Elapsed > ReadyLimit)
                {
                    throw new TimeoutException($"{variant.Name}: not ready within {ReadyLimit.TotalSeconds:0} s: {Output()}");
                }

                if (double.IsNaN(grpcPortMs) && await AcceptsAsync(grpcPort))
                {
                    grpcPortMs = clock.Elapsed.TotalMilliseconds;
                }

                if (!double.IsNaN(grpcPortMs))
                {
                    try
                    {
                        // Live first (the process serves HTTP), then ready (store answers, PDQ index loaded).
                        using var response = await http.GetAsync(double.IsNaN(liveMs) ? "health/live" : "health/ready");
                        if (double.IsNaN(liveMs))
                        {
                            if (response.IsSuccessStatusCode)
                            {
                                liveMs = clock.Elapsed.TotalMilliseconds;
                                continue;
                            }
                        }
                        else if (response.IsSuccessStatusCode)
                        {
                            readyMs = clock.Elapsed.TotalMilliseconds;
                            break;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }
                }

                await Task.Delay(10);
            }

            process.Refresh();
            var cpuAtReady = process.TotalProcessorTime.TotalSeconds;
            var sinceReady = Stopwatch.StartNew();
            var token = await TokenAsync(http, fill.ClientId, fill.Secret);
            var tokenMs = sinceReady.Elapsed.TotalMilliseconds;

            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            var header = "Bearer " + token;
            var client = new SignalService.SignalServiceClient(channel.Intercept(metadata =>
            {
                metadata.Add("Authorization", header);
                return metadata;
            }));
            var calls = new Calls(client, fill, number);

            // The first 10 s after ready: Submit and Lookup in turn, one at a time, as fast as the replica answers.
            var submits = new List<double>();
            var lookups = new List<double>();
            while (sinceReady.Elapsed < EarlyWindow && submits.Count < 100_000)
            {
                submits.Add(await calls.SubmitAsync());
                lookups.Add(await calls.LookupAsync());
            }

            // Steady calls, not counted, until warmAfter (default: right after the first 10 s): tier-1 and PGO have had that long.
            for (var i = 0; sinceReady.Elapsed < warmAfter && i < 1_000_000; i++)
            {
                await calls.SubmitAsync();
                await calls.LookupAsync();
            }

            var warmSubmits = new List<double>();
            var warmLookups = new List<double>();
            for (var i = 0; i < WarmCalls; i++)
            {
                warmSubmits.Add(await calls.SubmitAsync());
                warmLookups.Add(await calls.LookupAsync());
            }

            process.Refresh();
            return new Round(
                variant.Name, number, grpcPortMs, liveMs, readyMs, cpuAtReady, tokenMs,
                submits[0], lookups[0], LatencyStats.From(submits.Take(FirstCalls).ToList()), LatencyStats.From(lookups.Take(FirstCalls).ToList()),
                LatencyStats.From(submits), LatencyStats.From(lookups), LatencyStats.From(warmSubmits), LatencyStats.From(warmLookups),
                process.TotalProcessorTime.TotalSeconds, process.WorkingSet64 / 1048576.0);
        }
        finally
        {
            // Killed by its PID, as a replica that is replaced would be; the next round starts from nothing.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }

            Directory.Delete(redisDir, recursive: true);
        }
    }

    // One TCP connect attempt on loopback, bounded to 200 ms.
    internal static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    internal static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "signals.submit signals.read",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);

    // The calls of a round: new SHA-256 values (and a few PDQ) to Submit; stored, edited and unknown values to Look up.
    // Seeded by the round number, so every variant makes the same calls in the same round. Requests are built before
    // each call's clock starts.
    private sealed class Calls(SignalService.SignalServiceClient client, Fill fill, int seed)
    {
        private readonly Random random = new(seed);

        public async Task<double> SubmitAsync()
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = 0; i < BatchItems; i++)
            {
                var bytes = new byte[32];
                random.NextBytes(bytes);
                request.Items.Add(i % 20 == 19
                    ? new SignalSubmission { Type = SignalType.Pdq, Value = PdqHash.FromBytes(bytes).ToString(), Quality = 100, Categories = { Category.Csam } }
                    : new SignalSubmission { Type = SignalType.Sha256, Value = Convert.ToHexStringLower(bytes), Categories = { Category.Csam } });
            }

            var clock = Stopwatch.StartNew();
            var response = await client.SubmitAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            var ms = clock.Elapsed.TotalMilliseconds;
            if (response.Summary.Rejected > 0)
            {
                throw new InvalidOperationException($"Submit rejected {response.Summary.Rejected} items: {response.Results.First(r => r.Error is not null).Error}");
            }

            return ms;
        }

        public async Task<double> LookupAsync()
        {
            var request = new LookupRequest();
            for (var i = 0; i < BatchItems; i++)
            {
                request.Queries.Add((i % 10) switch
                {
                    < 5 => new LookupQuery { Type = SignalType.Sha256, Value = fill.Sha[random.Next(fill.Sha.Length)] },
                    < 9 => new LookupQuery { Type = SignalType.Sha256, Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) },
                    _ => new LookupQuery { Type = SignalType.Pdq, Value = Edited(fill.Pdq[random.Next(fill.Pdq.Length)]).ToString(), MaxMatches = 1 },
                });
            }

            var clock = Stopwatch.StartNew();
            var response = await client.LookupAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            var ms = clock.Elapsed.TotalMilliseconds;
            if (response.Results.Count != BatchItems)
            {
                throw new InvalidOperationException($"Lookup answered {response.Results.Count} of {BatchItems} queries");
            }

            return ms;
        }

        // A stored hash with up to 8 bits flipped: a near match the PDQ index must find.
        private PdqHash Edited(PdqHash hash)
        {
            Span<byte> bytes = stackalloc byte[32];
            hash.WriteBytes(bytes);
            for (var b = random.Next(9); b > 0; b--)
            {
                var bit = random.Next(256);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }

            return PdqHash.FromBytes(bytes);
        }
    }

    public sealed record Summary(
        string Variant, int Rounds, double GrpcPortMs, double LiveMs, double ReadyMs, double CpuSecondsAtReady, double TokenMs,
        double FirstSubmitMs, double FirstLookupMs, double First50SubmitP50Ms, double First50SubmitP99Ms, double First50LookupP50Ms, double First50LookupP99Ms,
        double EarlySubmitP50Ms, double EarlySubmitP99Ms, double EarlyLookupP50Ms, double EarlyLookupP99Ms, double EarlyCalls,
        double WarmSubmitP50Ms, double WarmSubmitP99Ms, double WarmLookupP50Ms, double WarmLookupP99Ms, double CpuSecondsAtEnd, double WorkingSetMiB);

    // Medians over the variant's rounds, each figure on its own.
    private static Summary Summarize(Variant variant, List<Round> rounds)
    {
        double Median(Func<Round, double> f) => Federation.Bench.Median.Of(rounds.Select(f));

        return new Summary(
            variant.Name, rounds.Count, Median(r => r.GrpcPortMs), Median(r => r.LiveMs), Median(r => r.ReadyMs), Median(r => r.CpuSecondsAtReady), Median(r => r.TokenMs),
            Median(r => r.FirstSubmitMs), Median(r => r.FirstLookupMs), Median(r => r.First50Submit.P50Ms), Median(r => r.First50Submit.P99Ms),
            Median(r => r.First50Lookup.P50Ms), Median(r => r.First50Lookup.P99Ms),
            Median(r => r.EarlySubmit.P50Ms), Median(r => r.EarlySubmit.P99Ms), Median(r => r.EarlyLookup.P50Ms), Median(r => r.EarlyLookup.P99Ms),
            Median(r => r.EarlySubmit.Count + r.EarlyLookup.Count),
            Median(r => r.WarmSubmit.P50Ms), Median(r => r.WarmSubmit.P99Ms), Median(r => r.WarmLookup.P50Ms), Median(r => r.WarmLookup.P99Ms),
            Median(r => r.CpuSecondsAtEnd), Median(r => r.WorkingSetMiB));
    }

    private static void Print(Round r) =>
        Console.WriteLine(
            $"round {r.Number} {r.Variant,-12} gRPC port {r.GrpcPortMs:F0} ms, live {r.LiveMs:F0} ms, ready {r.ReadyMs:F0} ms (CPU {r.CpuSecondsAtReady:F2} s), token {r.TokenMs:F0} ms, " +
            $"first Submit {r.FirstSubmitMs:F0} ms / Lookup {r.FirstLookupMs:F0} ms, first 50 p99 {r.First50Submit.P99Ms:F1}/{r.First50Lookup.P99Ms:F1} ms, " +
            $"first 10 s p50/p99 Submit {r.EarlySubmit.P50Ms:F2}/{r.EarlySubmit.P99Ms:F1} Lookup {r.EarlyLookup.P50Ms:F2}/{r.EarlyLookup.P99Ms:F1} ms ({r.EarlySubmit.Count + r.EarlyLookup.Count} calls), " +
            $"warm p99 Submit {r.WarmSubmit.P99Ms:F2} Lookup {r.WarmLookup.P99Ms:F2} ms; load {FairnessBenchmark.LoadAverage()}");
}
