using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Federation.Bench;

/// <summary>
/// <c>victim-clients</c>: the victim member of the fairness step, in its own process, as a member's client is on its own
/// machine. In the hub's process its client work (HTTP/2 reading, response parsing, continuations) queued in the hub's
/// thread pool behind the flooder's work and paid for the hub's GC pauses twice, so the figure mixed the hub's fairness
/// with the cost of hosting a client beside it. Started by <see cref="FairnessBenchmark"/>.
/// </summary>
/// <remarks>
/// Arguments: <c>--address http://127.0.0.1:port --token-file file --seed N</c>. Warms up for 2 s (JIT, a pool of stored
/// values for its look-ups) and prints <c>{"event":"ready"}</c>; then each line <c>run SECONDS</c> on standard input runs
/// one measured window (paced Submit and Lookup, concurrently) and prints <c>{"event":"window", ...}</c> with the
/// latencies; <c>exit</c> or the end of input ends it. Bounded by a window count.
/// </remarks>
internal static class VictimClients
{
    private const int MaxWindows = 100;
    private const int VictimBatch = 100;
    private const int LookupBatch = 10;
    private static readonly TimeSpan SubmitInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LookupInterval = TimeSpan.FromMilliseconds(20);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private static int failures;
    private static int callTags;

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var address = BenchPaths.Option(args, "--address") ?? throw new ArgumentException("--address is required");
        var token = File.ReadAllText(BenchPaths.Option(args, "--token-file") ?? throw new ArgumentException("--token-file is required")).Trim();
        var seed = int.Parse(BenchPaths.Option(args, "--seed") ?? "5000", CultureInfo.InvariantCulture);

        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var client = new SignalService.SignalServiceClient(channel);
        var options = new CallOptions(new Metadata { { "Authorization", "Bearer " + token } });
        var signals = new BenchSignals(seed);
        var stored = new List<string>();

        // Uncounted warm-up: JIT of the victim's paths and a pool of stored values for its look-ups.
        await WindowAsync(client, options, signals, stored, TimeSpan.FromSeconds(2));
        Emit(new { @event = "ready" });

        for (var window = 0; window < MaxWindows; window++)
        {
            var line = await Console.In.ReadLineAsync();
            if (line is null || line == "exit")
            {
                break;
            }

            var seconds = double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            var failedBefore = Volatile.Read(ref failures);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var (submit, lookup, calls) = await WindowAsync(client, options, signals, stored, TimeSpan.FromSeconds(seconds));
            // Every latency, not percentiles: the bench pools the windows of one condition across its rounds.
            Emit(new
            {
                @event = "window",
                submitMs = submit,
                lookupMs = lookup,
                calls = calls.Select(c => new object[] { c.Id, c.Sent, c.Received }),
                failed = Volatile.Read(ref failures) - failedBefore,
                cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,
                jitMs = (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds,
            });
        }

        return 0;
    }

    // One paced Submit loop and one paced Lookup loop, concurrently, for the duration; latency around each call, and
    // each call's tag with its send and receive stamps for `fairness --trace` (VictimCallTrace).
    private static async Task<(List<double> Submit, List<double> Lookup, ConcurrentQueue<VictimCallTrace.ClientCall> Calls)> WindowAsync(
        SignalService.SignalServiceClient client, CallOptions options, BenchSignals signals, List<string> stored, TimeSpan duration)
    {
        var calls = new ConcurrentQueue<VictimCallTrace.ClientCall>();
        async Task<double> TaggedAsync(string kind, Func<CallOptions, Task> call)
        {
            var id = kind + Interlocked.Increment(ref callTags).ToString(CultureInfo.InvariantCulture);
            var headers = new Metadata { { VictimCallTrace.Header, id } };
            foreach (var entry in options.Headers!)
            {
                headers.Add(entry);
            }

            var tagged = options.WithHeaders(headers);
            var started = Stopwatch.GetTimestamp();
            await CountFailureAsync(call(tagged));
            var received = Stopwatch.GetTimestamp();
            calls.Enqueue(new VictimCallTrace.ClientCall(id, started, received));
            return Stopwatch.GetElapsedTime(started, received).TotalMilliseconds;
        }

        var submitted = new List<string>();
        var submit = PacedAsync(SubmitInterval, duration, async () =>
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            for (var i = 0; i < VictimBatch; i++)
            {
                request.Items.Add(BenchSignals.Submission(signals.NextValue()));
            }

            var elapsed = await TaggedAsync("s", o => client.SubmitAsync(request, o).ResponseAsync);
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

            return await TaggedAsync("l", o => client.LookupAsync(request, o).ResponseAsync);
        });

        var results = await Task.WhenAll(submit, lookup);
        stored.AddRange(submitted);
        return (results[0], results[1], calls);
    }

    // A failed victim call counts with its latency, and is printed (to standard error: standard output carries the
    // events), so a run never hides that the victim was refused or failed.
    private static async Task CountFailureAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (RpcException e)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"  victim call failed: {e.StatusCode} {e.Status.Detail}");
        }
    }

    // A call every interval (the next one at once when a call took longer), bounded by time and count.
    private static async Task<List<double>> PacedAsync(TimeSpan interval, TimeSpan duration, Func<Task<double>> call)
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

        return samples;
    }

    private static void Emit(object message) => Console.Out.WriteLine(JsonSerializer.Serialize(message, Json));
}
