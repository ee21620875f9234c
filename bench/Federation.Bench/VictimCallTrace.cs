using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Bench;

/// <summary>
/// <c>fairness --trace</c>: where a victim call's time goes inside the hub. The victim client tags each call with a
/// <see cref="Header"/> and reports when it sent and received it; the in-process hub stamps the same call when the
/// request reaches the front of the ASP.NET Core pipeline, when the gRPC handler starts and ends (the innermost
/// interceptor: after authorization, the member limits and the request's parsing) and when the pipeline returns (the
/// response written). Stopwatch stamps are CLOCK_MONOTONIC on Linux, so the two processes' stamps compare directly.
/// </summary>
/// <remarks>
/// Inside the handler, the hub's own store timings (the <c>federation.store.duration</c> histogram, recorded on the
/// call's own flow) mark when its first Redis operation started and its last one ended: before that is the admission
/// gate's wait and the request's normalization, after it the response's assembly.
/// </remarks>
internal sealed class VictimCallTrace : IDisposable
{
    public const string Header = "x-bench-call";

    private static readonly AsyncLocal<Stamps?> Current = new();
    private readonly ConcurrentDictionary<string, Stamps> calls = new(StringComparer.Ordinal);
    private readonly MeterListener storeTimings = new();

    public VictimCallTrace()
    {
        storeTimings.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Federation.Hub.Telemetry.HubMetrics.MeterName && instrument.Name == "federation.store.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        storeTimings.SetMeasurementEventCallback<double>(static (_, seconds, _, _) =>
        {
            if (Current.Value is { } stamps)
            {
                var end = Stopwatch.GetTimestamp();
                var start = end - (long)(seconds * Stopwatch.Frequency);
                lock (stamps)
                {
                    stamps.FirstStoreStart = stamps.FirstStoreStart == 0 ? start : Math.Min(stamps.FirstStoreStart, start);
                    stamps.LastStoreEnd = Math.Max(stamps.LastStoreEnd, end);
                }
            }
        });
        storeTimings.Start();
    }

    public void Dispose()
    {
        stopSampling.Cancel();
        sampler?.Join();
        storeTimings.Dispose();
        stopSampling.Dispose();
    }

    private readonly CancellationTokenSource stopSampling = new();
    private readonly ConcurrentQueue<Sample> samples = new();
    private Thread? sampler;

    // Every ~2 ms on a thread of its own: the hub's thread-pool backlog, and one PING to Redis on a raw socket of its own
    // (not the hub's multiplexer), so a slow call can be told apart: work waiting for a pool thread, or Redis slow to answer.
    private readonly record struct Sample(long At, long PoolBacklog, int PoolThreads, double PingMs);

    /// <summary>Starts sampling the thread pool and Redis (<paramref name="redisPort"/> on loopback) until disposed; bounded by a sample count.</summary>
    public void StartSampling(int redisPort)
    {
        sampler = new Thread(() =>
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(System.Net.IPAddress.Loopback, redisPort);
            var ping = "PING\r\n"u8.ToArray();
            var reply = new byte[64];
            for (var i = 0; i < 2_000_000 && !stopSampling.IsCancellationRequested; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                if (!Ping(socket, ping, reply))
                {
                    return; // Redis stopped (the run is over)
                }

                var at = Stopwatch.GetTimestamp();
                samples.Enqueue(new Sample(at, ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount, Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds));
                Thread.Sleep(2);
            }
        })
        { IsBackground = true, Name = "victim-call-trace sampler" };
        sampler.Start();
    }

    /// <summary>Redis' slow log (commands over 5 ms of Redis' own time) and latency monitor (events over 5 ms), emptied.</summary>
    public static async Task StartRedisLogsAsync(StackExchange.Redis.IConnectionMultiplexer redis, int redisPid)
    {
        schedAtStart = SchedStat(redisPid);
        var server = redis.GetServers()[0];
        await server.ConfigSetAsync("slowlog-log-slower-than", 5000);
        await server.ConfigSetAsync("slowlog-max-len", 1000);
        await server.ConfigSetAsync("latency-monitor-threshold", 5);
        await server.SlowlogResetAsync();
        await server.LatencyResetAsync();
    }

    /// <summary>What Redis itself spent over 5 ms on during the run: slow commands by name, and latency events.</summary>
    public static async Task<string> DescribeRedisLogsAsync(StackExchange.Redis.IConnectionMultiplexer redis, int redisPid)
    {
        var server = redis.GetServers()[0];
        var slow = await server.SlowlogGetAsync(1000);
        var text = new StringBuilder();
        var sched = SchedStat(redisPid);
        // /proc/PID/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one, time slices.
        text.AppendLine(CultureInfo.InvariantCulture, $"  redis-server over the run: {(sched.OnCpu - schedAtStart.OnCpu) / 1e9:F1} s on a CPU, {(sched.Waiting - schedAtStart.Waiting) / 1e9:F1} s runnable waiting for one, {sched.Slices - schedAtStart.Slices} time slices");
        var self = SchedStat(Environment.ProcessId);
        text.AppendLine(CultureInfo.InvariantCulture, $"  hub (bench) process main thread since start: {self.OnCpu / 1e9:F1} s on a CPU, {self.Waiting / 1e9:F1} s waiting");
        text.AppendLine(CultureInfo.InvariantCulture, $"  Redis slow log (over 5 ms of Redis' own time): {slow.Length} commands");
        foreach (var group in slow.GroupBy(c => (string?)c.Arguments.FirstOrDefault() ?? "?").OrderByDescending(g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {group.Key}: {group.Count()} x, mean {group.Average(c => c.Duration.TotalMilliseconds):F1} / max {group.Max(c => c.Duration.TotalMilliseconds):F1} ms; args of the slowest: {string.Join(' ', group.MaxBy(c => c.Duration)!.Arguments.Take(4).Select(a => ((string?)a ?? string.Empty)[..Math.Min(((string?)a ?? string.Empty).Length, 24)]))}");
        }

        // Scripts by their key count (3 + 3 per item for the submit script), to tell a few large calls from many small ones.
        foreach (var group in slow.Where(c => ((string?)c.Arguments.FirstOrDefault())?.StartsWith("EVAL", StringComparison.Ordinal) == true)
            .GroupBy(c => (string?)c.Arguments.ElementAtOrDefault(2) ?? "?").OrderByDescending(g => g.Count()).Take(8))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    scripts of {group.Key} keys: {group.Count()} x, mean {group.Average(c => c.Duration.TotalMilliseconds):F1} / max {group.Max(c => c.Duration.TotalMilliseconds):F1} ms; script {((string?)group.First().Arguments[1])?[..Math.Min(12, ((string?)group.First().Arguments[1])!.Length)]}, first key {(string?)group.First().Arguments.ElementAtOrDefault(3)}");
        }

        var info = (await server.InfoAsync()).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        text.AppendLine(CultureInfo.InvariantCulture, $"  Redis CPU since start: user {info.GetValueOrDefault("used_cpu_user")} s, sys {info.GetValueOrDefault("used_cpu_sys")} s; uptime {info.GetValueOrDefault("uptime_in_seconds")} s");
        foreach (var (key, value) in info.Where(kv => kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal)).OrderByDescending(kv => kv.Value.Length).Take(12))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {key}: {value}");
        }

        foreach (var latency in await server.LatencyLatestAsync())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  Redis latency event {latency.EventName}: latest {latency.DurationMilliseconds} ms, max {latency.MaxDurationMilliseconds} ms");
        }

        return text.ToString().TrimEnd();
    }

    private static (long OnCpu, long Waiting, long Slices) schedAtStart;

    private static (long OnCpu, long Waiting, long Slices) SchedStat(int pid)
    {
        var parts = File.ReadAllText($"/proc/{pid}/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static bool Ping(System.Net.Sockets.Socket socket, byte[] ping, byte[] reply)
    {
        try
        {
            socket.Send(ping);
            for (var got = 0; got < 7;)
            {
                var read = socket.Receive(reply, got, reply.Length - got, System.Net.Sockets.SocketFlags.None);
                if (read == 0)
                {
                    return false;
                }

                got += read;
            }

            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    // The worst thread-pool backlog and slowest Redis PING seen while the call was in the hub.
    private (long Backlog, double PingMs) Worst(Segments s)
    {
        var inside = samples.Where(x => x.At >= s.Sent && x.At <= s.Received).ToList();
        return inside.Count == 0 ? (-1, double.NaN) : (inside.Max(x => x.PoolBacklog), inside.Max(x => x.PingMs));
    }

    /// <summary>The hub's stamps of one call, in <see cref="Stopwatch"/> ticks (0 where the call never got there).</summary>
    public sealed class Stamps
    {
        public long PipelineStart;
        public long HandlerStart;
        public long FirstStoreStart;
        public long LastStoreEnd;
        public long HandlerEnd;
        public long PipelineEnd;
    }

    /// <summary>One call as the client saw it: its tag and when it was sent and its answer received.</summary>
    public readonly record struct ClientCall(string Id, long Sent, long Received);

    /// <summary>Adds the stamping middleware (outermost) and interceptor (innermost) to a hub being built.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(this);
        services.AddSingleton<IStartupFilter>(new FrontOfPipeline(this));
        // PostConfigure runs after every Configure, so this interceptor comes after the hub's own: it wraps the handler alone.
        services.PostConfigure<GrpcServiceOptions>(o => o.Interceptors.Add<HandlerStamps>());
    }

    /// <summary>
    /// The slowest calls of one condition, split into where their time went, and the mean split of every call slower
    /// than <paramref name="thresholdMs"/>, with the garbage collections that overlapped each.
    /// </summary>
    public string Describe(string label, IReadOnlyList<ClientCall> client, double thresholdMs, IReadOnlyList<GcPauses.Collection> collections, int slowest = 8)
    {
        var rows = client.Select(c => (Call: c, Hub: calls.GetValueOrDefault(c.Id))).Where(r => r.Hub is not null)
            .Select(r => Split(r.Call, r.Hub!)).OrderByDescending(s => s.Total).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"  {label}: {rows.Count} of {client.Count} calls stamped by the hub; ms from send to: pipeline start | handler start | handler end | pipeline end | received; GC paused inside");
        foreach (var s in rows.Take(slowest))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {s.Total,7:F1} ms = to-pipeline {s.ToPipeline,6:F1} + to-handler {s.ToHandler,6:F1} + handler {s.Handler,6:F1} (to-store {s.ToStore,6:F1}, store {s.Store,6:F1}) + to-pipeline-end {s.AfterHandler,6:F1} + to-client {s.ToClient,6:F1}; GC {Paused(s, collections),5:F1} ms; pool backlog max {Worst(s).Backlog}, Redis PING max {Worst(s).PingMs:F1} ms");
        }

        var slow = rows.Where(s => s.Total > thresholdMs).ToList();
        if (slow.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    mean of the {slow.Count} calls over {thresholdMs:F1} ms: {Means(slow)}; GC {slow.Average(s => Paused(s, collections)):F1} ms; pool backlog max {slow.Average(s => Worst(s).Backlog):F1}, Redis PING max {slow.Average(s => Worst(s).PingMs):F1} ms");
        }

        text.Append(CultureInfo.InvariantCulture, $"    mean of all: {Means(rows)}; pool backlog max {rows.Average(s => Worst(s).Backlog):F1}, Redis PING max {rows.Average(s => Worst(s).PingMs):F1} ms");
        return text.ToString();
    }

    private static string Means(List<Segments> rows) => string.Create(
        CultureInfo.InvariantCulture,
        $"{rows.Average(s => s.Total):F1} = {rows.Average(s => s.ToPipeline):F1} + {rows.Average(s => s.ToHandler):F1} + {rows.Average(s => s.Handler):F1} (to-store {rows.Average(s => s.ToStore):F1}, store {rows.Average(s => s.Store):F1}) + {rows.Average(s => s.AfterHandler):F1} + {rows.Average(s => s.ToClient):F1}");

    private readonly record struct Segments(
        long Sent, long Received, double Total, double ToPipeline, double ToHandler, double Handler, double ToStore, double Store, double AfterHandler, double ToClient);

    private static Segments Split(ClientCall call, Stamps hub)
    {
        static double Ms(long from, long to) => from == 0 || to == 0 ? double.NaN : (to - from) * 1000.0 / Stopwatch.Frequency;
        return new Segments(
            call.Sent, call.Received, Ms(call.Sent, call.Received), Ms(call.Sent, hub.PipelineStart), Ms(hub.PipelineStart, hub.HandlerStart),
            Ms(hub.HandlerStart, hub.HandlerEnd), Ms(hub.HandlerStart, hub.FirstStoreStart), Ms(hub.FirstStoreStart, hub.LastStoreEnd),
            Ms(hub.HandlerEnd, hub.PipelineEnd), Ms(hub.PipelineEnd, call.Received));
    }

    // Pause time of the collections that overlapped the call (a collection is stamped when its last event arrived).
    private static double Paused(Segments s, IReadOnlyList<GcPauses.Collection> collections) => collections
        .Where(c => c.RestartedTicks > s.Sent && c.RestartedTicks - (long)(c.PauseMs * Stopwatch.Frequency / 1000) < s.Received)
        .Sum(c => c.PauseMs);

    private Stamps? For(HttpContext http) =>
        http.Request.Headers.TryGetValue(Header, out var id) && id.Count == 1 ? calls.GetOrAdd(id[0]!, static _ => new Stamps()) : null;

    private sealed class FrontOfPipeline(VictimCallTrace trace) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, inner) =>
            {
                var stamps = trace.For(http);
                if (stamps is not null)
                {
                    stamps.PipelineStart = Stopwatch.GetTimestamp();
                }

                await inner(http);
                if (stamps is not null)
                {
                    stamps.PipelineEnd = Stopwatch.GetTimestamp();
                }
            });
            next(app);
        };
    }

    private sealed class HandlerStamps(VictimCallTrace trace) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var stamps = trace.For(context.GetHttpContext());
            if (stamps is not null)
            {
                stamps.HandlerStart = Stopwatch.GetTimestamp();
                Current.Value = stamps;
            }

            try
            {
                return await continuation(request, context);
            }
            finally
            {
                if (stamps is not null)
                {
                    stamps.HandlerEnd = Stopwatch.GetTimestamp();
                }
            }
        }
    }
}
