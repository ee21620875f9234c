using System.Diagnostics;
using System.Globalization;
using Federation.Hub.Storage;

namespace Federation.Bench;

/// <summary>
/// A published hub as a child process on free loopback ports (as <c>startup</c> runs it), with its log lines timed as
/// they arrive, so the bench can tell when each start-up loader reported done. Killed by its PID on dispose.
/// </summary>
internal sealed class HubProcess : IDisposable
{
    internal const string AdminId = "bench-admin";
    internal const string AdminSecret = "bench-admin-secret-0123456789abcdef";
    private readonly Process process;
    private readonly Stopwatch clock;
    private readonly List<(double Ms, string Line)> lines = [];

    private HubProcess(Process process, Stopwatch clock, int httpPort, int grpcPort)
    {
        this.process = process;
        this.clock = clock;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        GrpcAddress = $"http://127.0.0.1:{grpcPort}";
    }

    public HttpClient Http { get; }

    public string GrpcAddress { get; }

    public double WorkingSetMiB
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64 / 1048576.0;
        }
    }

    public static HubProcess Start(string publishDir, string redis, string dataPath, string issuer)
    {
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var info = StartInfo(publishDir, redis, dataPath, issuer, httpPort, grpcPort, loaderLogs: true);
        var clock = Stopwatch.StartNew();
        var hub = new HubProcess(Process.Start(info)!, clock, httpPort, grpcPort);
        hub.process.OutputDataReceived += (_, e) => hub.Append(e.Data);
        hub.process.ErrorDataReceived += (_, e) => hub.Append(e.Data);
        hub.process.BeginOutputReadLine();
        hub.process.BeginErrorReadLine();
        return hub;
    }

    /// <summary>
    /// How a published hub starts on loopback ports against <paramref name="redis"/> (the <c>cold</c> and <c>startup</c>
    /// benches): warnings only, and with <paramref name="loaderLogs"/> the hub's own Information lines (its loaders' "loaded").
    /// </summary>
    internal static ProcessStartInfo StartInfo(string publishDir, string redis, string dataPath, string issuer, int httpPort, int grpcPort, bool loaderLogs)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = publishDir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            Path.Combine(publishDir, "Federation.Hub.dll"),
            "--contentRoot", publishDir,
            $"--Federation:Redis={redis},protocol=resp2",
            $"--Federation:DataPath={dataPath}",
            $"--Federation:Issuer={issuer}",
            "--Federation:ListenAddress=127.0.0.1",
            $"--Federation:HttpPort={httpPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Federation:GrpcPort={grpcPort.ToString(CultureInfo.InvariantCulture)}",
            "--Federation:AccessTokenLifetime=02:00:00",
            $"--Federation:Bootstrap:AdminClientId={AdminId}",
            $"--Federation:Bootstrap:AdminClientSecret={AdminSecret}",
            "--Federation:Signals:RateLimitPerSecond=0",
            "--Logging:LogLevel:Default=Warning"])
        {
            info.ArgumentList.Add(argument);
        }

        if (loaderLogs)
        {
            info.ArgumentList.Add("--Logging:LogLevel:Federation=Information");
        }

        return info;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                // Bounded: a start-up logs a few hundred lines at most; keep the first 10,000.
                if (lines.Count < 10_000)
                {
                    lines.Add((clock.Elapsed.TotalMilliseconds, line));
                }
            }
        }
    }

    /// <summary>Polls /health/ready every 10 ms; the time since process start and the CPU the process had spent then.</summary>
    public async Task<(double Ms, double CpuSeconds)> WaitReadyAsync(TimeSpan limit)
    {
        while (clock.Elapsed < limit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the hub exited with {process.ExitCode}: {Tail()}");
            }

            try
            {
                using var response = await Http.GetAsync("health/ready");
                if (response.IsSuccessStatusCode)
                {
                    var ms = clock.Elapsed.TotalMilliseconds;
                    process.Refresh();
                    return (ms, process.TotalProcessorTime.TotalSeconds);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"not ready within {limit.TotalSeconds:0} s: {Tail()}");
    }

    /// <summary>When (ms since start) each marker's first line arrived; waits for all, bounded by <paramref name="limit"/>.</summary>
    public async Task<Dictionary<string, double>> WaitForLinesAsync(IReadOnlyList<(string Marker, string Name)> markers, TimeSpan limit)
    {
        var found = new Dictionary<string, double>();
        while (found.Count < markers.Count && clock.Elapsed < limit && !process.HasExited)
        {
            lock (lines)
            {
                foreach (var (marker, name) in markers)
                {
                    if (!found.ContainsKey(name) && lines.FirstOrDefault(l => l.Line.Contains(marker, StringComparison.Ordinal)) is { Line: not null } hit)
                    {
                        found[name] = hit.Ms;
                    }
                }
            }

            await Task.Delay(50);
        }

        foreach (var (_, name) in markers.Where(m => !found.ContainsKey(m.Name)))
        {
            found[name] = double.NaN;
        }

        return found;
    }

    /// <summary>The child's lines containing <paramref name="text"/>: how many, and the last one before <paramref name="beforeMs"/>.</summary>
    public (int Count, string? Last) Lines(string text, double beforeMs)
    {
        lock (lines)
        {
            var hits = lines.Where(l => l.Ms <= beforeMs && l.Line.Contains(text, StringComparison.Ordinal)).ToList();
            return (hits.Count, hits.Count == 0 ? null : $"{hits[^1].Ms / 1000:F2} s: {hits[^1].Line}");
        }
    }

    private string Tail()
    {
        lock (lines)
        {
            return string.Join('\n', lines.TakeLast(30).Select(l => l.Line));
        }
    }

    public void Dispose()
    {
        // Killed by its PID, as a replaced replica would be.
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        process.Dispose();
        Http.Dispose();
    }
}
