using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Federation.Bench;

/// <summary>
/// <c>feed-clients</c>: the subscribers of the feed benchmarks, in their own process so that the hub's figures are
/// the hub's (its thread pool, GC and allocations are not shared with 100–1,000 client streams). Started by
/// <see cref="FeedDelivery.Audience"/>; talks to it over stdin (commands) and stdout (one JSON object per line).
/// </summary>
/// <remarks>
/// Arguments: <c>--address http://127.0.0.1:port --tokens file (one bearer token per member) --subscribers N
/// --per-member M</c>. Subscriber s uses member s / M; each member has one channel (HTTP/2 connection).
/// Commands: <c>reset &lt;timestamp&gt;</c> (forget samples; count only values stamped at or after the timestamp),
/// <c>collect &lt;expected&gt; &lt;drain ms&gt;</c> (wait, bounded, until that many deliveries, then report), <c>quit</c>.
/// Latency: the publisher stamps each value's first 16 hex digits with <see cref="Stopwatch.GetTimestamp"/> just
/// before its Submit call; on one machine that is one monotonic clock for both processes, so the client takes
/// receive time − stamp.
/// </remarks>
internal static class FeedClients
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>A value that carries the stamp: 16 hex digits of the timestamp, then 48 of <paramref name="suffix"/>.</summary>
    public static string Stamp(long timestamp, string suffix) =>
        string.Concat(timestamp.ToString("x16", CultureInfo.InvariantCulture), suffix.AsSpan(16));

    private static async Task<int> RunAsync(string[] args)
    {
        var address = BenchPaths.Option(args, "--address") ?? throw new ArgumentException("--address is required");
        var tokens = File.ReadAllLines(BenchPaths.Option(args, "--tokens") ?? throw new ArgumentException("--tokens is required"));
        var subscribers = int.Parse(BenchPaths.Option(args, "--subscribers") ?? "100", CultureInfo.InvariantCulture);
        var perMember = int.Parse(BenchPaths.Option(args, "--per-member") ?? "50", CultureInfo.InvariantCulture);

        using var stop = new CancellationTokenSource();
        var channels = new List<GrpcChannel>();
        var clients = tokens.Select(token =>
        {
            var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = 64 << 20,
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            });
            channels.Add(channel);
            var header = "Bearer " + token;
            return new SignalService.SignalServiceClient(channel.Intercept(m =>
            {
                m.Add("Authorization", header);
                return m;
            }));
        }).ToArray();

        var readers = new Reader[subscribers];
        var tasks = new Task[subscribers];
        // Opened one member's streams at a time, each wave attached (delivered something: a heartbeat arrives within a
        // second) before the next: 5,000 calls at once on two loaded cores queued the hub's member reads past Redis's
        // 5 s timeout. Members connect over time in a coalition too.
        var attach = Stopwatch.StartNew();
        var attachBound = TimeSpan.FromSeconds(30 + (subscribers / 50));
        for (var first = 0; first < subscribers; first += perMember)
        {
            var wave = Math.Min(perMember, subscribers - first);
            for (var s = first; s < first + wave; s++)
            {
                readers[s] = new Reader();
                tasks[s] = readers[s].RunAsync(clients[s / perMember], stop.Token);
            }

            while (readers.AsSpan(first, wave).ToArray().Any(r => Volatile.Read(ref r.Received) == 0) && attach.Elapsed < attachBound)
            {
                await Task.Delay(20);
            }
        }

        Emit(new { @event = "ready", missing = readers.Count(r => Volatile.Read(ref r.Received) == 0) });

        // Bounded: the parent sends a few commands per run and quits; EOF also ends the loop.
        for (var commands = 0; commands < 10_000; commands++)
        {
            var line = await Console.In.ReadLineAsync();
            if (line is null || line == "quit")
            {
                break;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "reset":
                    var since = long.Parse(parts[1], CultureInfo.InvariantCulture);
                    foreach (var reader in readers)
                    {
                        reader.Reset(since);
                    }

                    Emit(new { @event = "reset", cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds });
                    break;
                case "collect":
                    var expected = long.Parse(parts[1], CultureInfo.InvariantCulture);
                    var drain = TimeSpan.FromMilliseconds(int.Parse(parts[2], CultureInfo.InvariantCulture));
                    var clock = Stopwatch.StartNew();
                    while (readers.Sum(r => (long)Volatile.Read(ref r.Counted)) < expected && clock.Elapsed < drain)
                    {
                        await Task.Delay(5);
                    }

                    var all = new List<double>((int)Math.Min(expected, 50_000_000));
                    var emitted = new List<double>((int)Math.Min(expected, 50_000_000));
                    long lastReceive = 0;
                    foreach (var reader in readers)
                    {
                        lastReceive = Math.Max(lastReceive, reader.Collect(all, emitted));
                    }

                    var stats = LatencyStats.From(all);
                    var fromEmitted = LatencyStats.From(emitted);
                    Emit(new
                    {
                        @event = "collected",
                        delivered = all.Count,
                        p50Ms = double.IsNaN(stats.P50Ms) ? 0 : stats.P50Ms,
                        p99Ms = double.IsNaN(stats.P99Ms) ? 0 : stats.P99Ms,
                        maxMs = double.IsNaN(stats.MaxMs) ? 0 : stats.MaxMs,
                        emittedP50Ms = double.IsNaN(fromEmitted.P50Ms) ? 0 : fromEmitted.P50Ms,
                        emittedP99Ms = double.IsNaN(fromEmitted.P99Ms) ? 0 : fromEmitted.P99Ms,
                        lastReceive,
                        cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
                        jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
                    });
                    break;
                default:
                    Console.Error.WriteLine($"feed-clients: unknown command '{line}'");
                    break;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        return 0;
    }

    private static void Emit(object message) => Console.Out.WriteLine(JsonSerializer.Serialize(message, Json));

    private sealed class Reader
    {
        private readonly Lock gate = new();
        // Small to start with (grown by use, kept across resets): 5,000 readers at 4,096 each were 330 MB of doubles.
        private List<double> latencies = new(256);
        private List<double> fromEmitted = new(256);
        private long since = long.MaxValue;
        private long lastReceive;

        /// <summary>Updates of any kind received (heartbeats included).</summary>
        public int Received;

        /// <summary>Stamped CREATED updates counted since the last reset.</summary>
        public int Counted;

        public async Task RunAsync(SignalService.SignalServiceClient client, CancellationToken stop)
        {
            await Task.Yield();
            try
            {
                using var call = client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest }, cancellationToken: stop);
                while (await call.ResponseStream.MoveNext(stop))
                {
                    var now = Stopwatch.GetTimestamp();
                    var wallMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    Interlocked.Increment(ref Received);
                    var update = call.ResponseStream.Current.Update;
                    if (update.Kind != UpdateKind.Created || update.Signal.Value.Length < 16
                        || !long.TryParse(update.Signal.Value.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sent))
                    {
                        continue;
                    }

                    lock (gate)
                    {
                        if (sent >= since)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                            if (update.EmittedAt is { } emitted)
                            {
                                // Redis stamps the entry id with its wall clock (ms): the part after the script ran.
                                fromEmitted.Add(wallMs - ((emitted.Seconds * 1000) + (emitted.Nanos / 1_000_000)));
                            }

                            lastReceive = now;
                            Counted++;
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

        public void Reset(long timestamp)
        {
            lock (gate)
            {
                latencies = new List<double>(latencies.Capacity);
                fromEmitted = new List<double>(fromEmitted.Capacity);
                since = timestamp;
                lastReceive = 0;
                Counted = 0;
            }
        }

        public long Collect(List<double> into, List<double> emittedInto)
        {
            lock (gate)
            {
                into.AddRange(latencies);
                emittedInto.AddRange(fromEmitted);
                return lastReceive;
            }
        }
    }
}
