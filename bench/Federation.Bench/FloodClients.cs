using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Federation.Contracts.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Federation.Bench;

/// <summary>
/// <c>flood-clients</c>: the flooding member of the fairness step, in its own process so that its client work (building
/// and serializing 1,000-item batches, handling thousands of refusals) does not share the hub's thread pool and GC with
/// the hub and the victim, as it would not in a real deployment. Started by <see cref="FairnessBenchmark"/>.
/// </summary>
/// <remarks>
/// Arguments: <c>--address http://127.0.0.1:port --token-file file --concurrency N --batch B --seconds S</c>. N loops
/// on one channel (one HTTP/2 connection) each send Submit calls of B unique SHA-256 items back to back for S seconds,
/// ignoring retry hints: a refused call is sent again at once. Prints <c>{"event":"started"}</c> once the first call
/// has been answered, then <c>{"event":"done", ...}</c> with the counts. Bounded by time and by a call count.
/// </remarks>
internal static class FloodClients
{
    private const long MaxCallsPerLoop = 10_000_000;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var address = BenchPaths.Option(args, "--address") ?? throw new ArgumentException("--address is required");
        var token = File.ReadAllText(BenchPaths.Option(args, "--token-file") ?? throw new ArgumentException("--token-file is required")).Trim();
        var concurrency = int.Parse(BenchPaths.Option(args, "--concurrency") ?? "32", CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchPaths.Option(args, "--batch") ?? "1000", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(BenchPaths.Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture));

        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var header = "Bearer " + token;
        var client = new SignalService.SignalServiceClient(channel.Intercept(m =>
        {
            m.Add("Authorization", header);
            return m;
        }));

        // One call first: the connection is up and the hub has seen the member before the clock starts.
        await client.SubmitAsync(Batch(new BenchSignals(7), batch));
        Emit(new { @event = "started" });

        long accepted = 0, okCalls = 0, refused = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, concurrency).Select(loop => Task.Run(async () =>
        {
            var signals = new BenchSignals(10_000 + loop);
            var request = Batch(signals, batch);
            for (long call = 0; call < MaxCallsPerLoop && clock.Elapsed < duration; call++)
            {
                try
                {
                    var response = await client.SubmitAsync(request);
                    Interlocked.Increment(ref okCalls);
                    Interlocked.Add(ref accepted, response.Summary.Created + response.Summary.Corroborated + response.Summary.Unchanged);
                    request = Batch(signals, batch);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    // Ignore the retry-after-ms hint on purpose: send the same batch again at once.
                    Interlocked.Increment(ref refused);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(loops);
        var seconds = clock.Elapsed.TotalSeconds;
        Emit(new
        {
            @event = "done",
            seconds,
            okCalls,
            acceptedItems = accepted,
            itemsPerSecond = accepted / seconds,
            refused,
            refusedPerSecond = refused / seconds,
            failed,
            cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        });
        return 0;
    }

    private static SubmitRequest Batch(BenchSignals signals, int size)
    {
        var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
        for (var i = 0; i < size; i++)
        {
            request.Items.Add(BenchSignals.Submission(signals.NextValue()));
        }

        return request;
    }

    private static void Emit(object message) => Console.Out.WriteLine(JsonSerializer.Serialize(message, Json));
}
