using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Taxii;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Bench;

/// <summary>
/// TAXII 2.1 paging throughput on one replica: N coalition-wide SHA-256 signals stored through gRPC, then the whole
/// collection paged with <c>limit</c>/<c>next</c> by a plain HttpClient (every page parsed, every indicator id checked
/// to arrive exactly once). Baseline in the same run: the same records read straight from Redis by the store's scan
/// (every bucket of every partition, decoded), the ceiling of reading them at all. Target: ≥ 10,000 objects/s.
/// </summary>
internal static class TaxiiBenchmark
{
    public const double TargetObjectsPerSecond = 10_000;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public sealed record Result(
        int Signals, int PageLimit, int Pages, long Objects, double Seconds, double ObjectsPerSecond, double PageP50Ms, double PageP99Ms,
        long BytesReceived, double ProcessCpuSeconds, double ObjectsPerCpuSecond, double ClientParseCpuSeconds, double ServerObjectsPerCpuSecond, double RawScanSeconds, double RawScanRecordsPerSecond, double RatioToRawScan, double FillSeconds, double CatalogReadySeconds,
        bool TargetMet, string LoadBefore, string LoadAfter);

    public static int Run(string[] args)
    {
        var signals = int.Parse(BenchPaths.Option(args, "--signals") ?? "100000", CultureInfo.InvariantCulture);
        var limit = int.Parse(BenchPaths.Option(args, "--limit") ?? "1000", CultureInfo.InvariantCulture);
        var outFile = BenchPaths.Option(args, "--out") ?? BenchPaths.ResultsFile("taxii.json");
        return RunAsync(signals, limit, outFile).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int signals, int limit, string outFile)
    {
        Console.WriteLine($"Federation TAXII benchmark: {signals:N0} signals, limit {limit}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {FairnessBenchmark.LoadAverage()}");
        var work = Directory.CreateTempSubdirectory("federation-bench-").FullName;
        try
        {
            using var redisServer = LocalRedisServer.Start(Path.Combine(work, "redis"), persistent: false);
            await using var hub = await BenchHub.StartAsync(redisServer.ConnectionString, Path.Combine(work, "hub"), new Dictionary<string, string?>
            {
                ["Federation:Taxii:MaxPageSize"] = Math.Max(limit, 1).ToString(CultureInfo.InvariantCulture),
                ["Federation:Taxii:SettleDelay"] = "00:00:01",
            });
            await hub.WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
            var result = await MeasureAsync(hub, signals, limit);
            Print(result);
            File.WriteAllText(outFile, JsonSerializer.Serialize(new { benchmark = "taxii", measuredAt = DateTimeOffset.UtcNow, processorCount = Environment.ProcessorCount, result },
                Json));
            Console.WriteLine($"written: {outFile}");
            return result.TargetMet ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<Result> MeasureAsync(BenchHub hub, int signals, int limit)
    {
        using var submitter = await hub.CreateMemberAsync("bench-taxii-submit");
        var token = await hub.CreateReaderTokenAsync("bench-taxii-read");

        var fill = Stopwatch.StartNew();
        var expected = new HashSet<string>(signals);
        var batches = new List<SubmitRequest>();
        for (var start = 0; start < signals; start += 1000)
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = start; i < Math.Min(signals, start + 1000); i++)
            {
                var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                expected.Add("indicator--" + StixIds.Indicator("sha256:" + value).ToString("D"));
                request.Items.Add(new SignalSubmission { Type = SignalType.Sha256, Value = value, Categories = { Category.Csam } });
            }

            batches.Add(request);
        }

        // Four batches in flight: the fill is not what is measured.
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, ct) =>
            await submitter.Signals.SubmitAsync(request, cancellationToken: ct));
        fill.Stop();

        using var http = new HttpClient { BaseAddress = hub.HttpAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.TryAddWithoutValidation("Accept", TaxiiMediaTypes.Taxii);
        var collection = $"taxii2/api/collections/{StixIds.Collection("")}/";

        // Every record in the catalog and past the settle delay: the manifest's last page names the newest ones.
        var ready = Stopwatch.StartNew();
        while (true)
        {
            var count = hub.Services.GetRequiredService<TaxiiCatalog>().Count;
            if (count >= signals)
            {
                break;
            }

            if (ready.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"the TAXII catalog holds {count} of {signals} records after 2 minutes");
            }

            await Task.Delay(50);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the settle delay
        ready.Stop();

        var loadBefore = FairnessBenchmark.LoadAverage();
        var seen = new HashSet<string>(signals);
        var pageMs = new List<double>();
        long bytes = 0;
        string? next = null;
        var bodies = new List<byte[]>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var pages = 0; pages < (signals / Math.Max(1, limit)) + 10; pages++)
        {
            var pageClock = Stopwatch.StartNew();
            var body = await http.GetByteArrayAsync(collection + "objects/?limit=" + limit.ToString(CultureInfo.InvariantCulture) + (next is null ? "" : "&next=" + next));
            pageMs.Add(pageClock.Elapsed.TotalMilliseconds);
            bytes += body.Length;
            bodies.Add(body);
            using var envelope = JsonDocument.Parse(body);
            if (envelope.RootElement.TryGetProperty("objects", out var objects))
            {
                foreach (var o in objects.EnumerateArray())
                {
                    if (o.GetProperty("type").ValueEquals("indicator") && !seen.Add(o.GetProperty("id").GetString()!))
                    {
                        throw new InvalidOperationException("an indicator arrived twice");
                    }
                }
            }

            next = envelope.RootElement.GetProperty("more").GetBoolean() ? envelope.RootElement.GetProperty("next").GetString() : null;
            if (next is null)
            {
                break;
            }
        }

        clock.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var loadAfter = FairnessBenchmark.LoadAverage();

        // The client (same process) parsed every page: parse them again alone to split its CPU from the hub's.
        var parseBefore = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var body in bodies)
        {
            using var envelope = JsonDocument.Parse(body);
            if (envelope.RootElement.TryGetProperty("objects", out var objects))
            {
                foreach (var o in objects.EnumerateArray())
                {
                    _ = o.GetProperty("type").ValueEquals("indicator") && o.GetProperty("id").GetString()!.Length > 0;
                }
            }
        }

        var parseCpu = (Process.GetCurrentProcess().TotalProcessorTime - parseBefore).TotalSeconds;
        if (!expected.SetEquals(seen))
        {
            throw new InvalidOperationException($"paging returned {seen.Count} indicators, {expected.Except(seen).Count()} of the {expected.Count} stored missing");
        }

        // Baseline: the same records straight from Redis, decoded, no HTTP, no JSON.
        var store = hub.Services.GetRequiredService<SignalStore>();
        var raw = Stopwatch.StartNew();
        long scanned = 0;
        for (var p = 0; p < store.PartitionCount; p++)
        {
            await foreach (var _ in store.ScanAllAsync(p, CancellationToken.None))
            {
                scanned++;
            }
        }

        raw.Stop();
        pageMs.Sort();
        var perSecond = seen.Count / clock.Elapsed.TotalSeconds;
        var rawPerSecond = scanned / raw.Elapsed.TotalSeconds;
        return new Result(signals, limit, pageMs.Count, seen.Count, clock.Elapsed.TotalSeconds, perSecond, Percentile(pageMs, 0.5), Percentile(pageMs, 0.99),
            bytes, cpu, seen.Count / cpu, parseCpu, seen.Count / Math.Max(0.001, cpu - parseCpu), raw.Elapsed.TotalSeconds, rawPerSecond, perSecond / rawPerSecond, fill.Elapsed.TotalSeconds, ready.Elapsed.TotalSeconds,
            perSecond >= TargetObjectsPerSecond, loadBefore, loadAfter);
    }

    private static double Percentile(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    private static void Print(Result r)
    {
        Console.WriteLine($"  fill: {r.Signals:N0} signals in {r.FillSeconds:0.0} s; catalog ready {r.CatalogReadySeconds:0.0} s later");
        Console.WriteLine($"  TAXII paging: {r.Objects:N0} indicators in {r.Pages} pages of {r.PageLimit} in {r.Seconds:0.00} s = {r.ObjectsPerSecond:N0} objects/s " +
            $"(page p50 {r.PageP50Ms:0.0} ms, p99 {r.PageP99Ms:0.0} ms, {r.BytesReceived / 1e6:0.0} MB), each exactly once");
        Console.WriteLine($"  CPU: {r.ProcessCpuSeconds:0.00} s for the paging (hub and client in this process) = {r.ObjectsPerCpuSecond:N0} objects per CPU-second; " +
            $"the client's parsing {r.ClientParseCpuSeconds:0.00} s, so the hub ~{r.ServerObjectsPerCpuSecond:N0} objects per CPU-second");
        Console.WriteLine($"  baseline, raw scan of the same records from Redis: {r.RawScanRecordsPerSecond:N0} records/s ({r.RawScanSeconds:0.00} s); ratio {r.RatioToRawScan:0.00}");
        Console.WriteLine($"  target >= {TargetObjectsPerSecond:N0} objects/s: {(r.TargetMet ? "MET" : "MISSED")}; load {r.LoadBefore} -> {r.LoadAfter}");
    }
}
