using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Federation.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Federation.Bench;

/// <summary>
/// <c>flood-clients</c>: the flooding member of the fairness step, in its own process so that its client work (building
/// and serializing 1,000-item batches, handling thousands of refusals) does not share the hub's thread pool and GC with
/// the hub and the victim, as it would not in a real deployment. Started by <see cref="FairnessBenchmark"/>.
/// </summary>
/// <remarks>
/// Arguments: <c>--address http://127.0.0.1:port --token-file file --concurrency N --batch B --seconds S [--seed N]
/// [--values spread|one-bucket]</c>. N loops
/// on one channel (one HTTP/2 connection) each send Submit calls of B unique SHA-256 items (pre-serialized) back to back for S seconds,
/// ignoring retry hints: a refused call is sent again at once. Prints <c>{"event":"started"}</c> once the first call
/// has been answered, then <c>{"event":"done", ...}</c> with the counts. Bounded by time and by a call count.
/// </remarks>
internal static class FloodClients
{
    /// <summary>Flood values as real hashes are: every item of a call in a partition and bucket of its own.</summary>
    public const string SpreadValues = "spread";

    /// <summary>
    /// Flood values sharing their first 4 bytes within a call: all of a call's items in one partition and one bucket
    /// (the hub places records by those bytes), which no split can separate (docs/quotas.md, session 16).
    /// </summary>
    public const string OneBucketValues = "one-bucket";

    private const long MaxCallsPerLoop = 10_000_000;
    private const int PoolBatches = 200;

    // Submit with the request and response as bytes: the flooder neither serializes nor parses per call.
    private static readonly Method<byte[], byte[]> SubmitRaw = new(
        MethodType.Unary, SignalService.Descriptor.FullName, "Submit", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var address = BenchPaths.Option(args, "--address") ?? throw new ArgumentException("--address is required");
        var token = File.ReadAllText(BenchPaths.Option(args, "--token-file") ?? throw new ArgumentException("--token-file is required")).Trim();
        var concurrency = int.Parse(BenchPaths.Option(args, "--concurrency") ?? "32", CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchPaths.Option(args, "--batch") ?? "1000", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(double.Parse(BenchPaths.Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture));
        var oneBucket = (BenchPaths.Option(args, "--values") ?? SpreadValues) == OneBucketValues;

        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var invoker = channel.CreateCallInvoker();
        var options = new CallOptions(new Metadata { { "Authorization", "Bearer " + token } });

        // The batches are built and serialized before the flood starts, so that the flooder's own CPU (on the same
        // machine as the hub here, never in a deployment) goes to sending, not to generating values or serializing.
        // Each call patches a fresh request_id into its batch (field 1 comes first, 32 hex digits), so the hub sees
        // new batches, and the call's number into 8 hex digits of every value, so every item of the flood is a new
        // signal (CREATED: a record, a feed entry, a catalog entry) however long it runs. With values from the pool
        // alone, a 17 s flood repeated its pool after 7 s and the rest of it was cheap duplicates. The last 8 digits
        // keep the values spread as real hashes are; the first 8 (--values one-bucket, the only flood before session
        // 16) put all of a call's items in one partition and one bucket.
        var pool = new Template[Math.Max(concurrency * 4, PoolBatches)];
        var signals = new BenchSignals(int.Parse(BenchPaths.Option(args, "--seed") ?? "10000", CultureInfo.InvariantCulture));
        for (var b = 0; b < pool.Length; b++)
        {
            pool[b] = Template.Of(Batch(signals, batch), oneBucket);
        }

        long calls = 0;
        byte[] Next(int index) => pool[index % pool.Length].Fresh(Interlocked.Increment(ref calls));

        await invoker.AsyncUnaryCall(SubmitRaw, null, options, Next(0));
        Emit(new { @event = "started" });

        long okCalls = 0, refused = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, concurrency).Select(loop => Task.Run(async () =>
        {
            var next = loop;
            var request = Next(next);
            for (long call = 0; call < MaxCallsPerLoop && clock.Elapsed < duration; call++)
            {
                try
                {
                    await invoker.AsyncUnaryCall(SubmitRaw, null, options, request);
                    Interlocked.Increment(ref okCalls);
                    next += concurrency;
                    request = Next(next);
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
        var accepted = okCalls * batch;
        Emit(new
        {
            @event = "done",
            seconds,
            okCalls,
            acceptedItems = accepted,
            itemsPerSecond = accepted / seconds,
            offeredItemsPerSecond = (okCalls + refused) * (double)batch / seconds,
            refused,
            refusedPerSecond = refused / seconds,
            failed,
            cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
        });
        return 0;
    }

    // A serialized batch and where in it the 8 hex digits of each value that a call patches sit.
    private sealed record Template(byte[] Serialized, int[] ValueOffsets)
    {
        public static Template Of(SubmitRequest request, bool patchFirstDigits)
        {
            var serialized = request.ToByteArray();
            // Tag 0x0a (field 1, length-delimited), length 32, then the id's 32 ASCII hex digits.
            if (serialized[0] != 0x0a || serialized[1] != 32)
            {
                throw new InvalidOperationException("unexpected SubmitRequest layout");
            }

            var offsets = new int[request.Items.Count];
            var from = 34;
            for (var i = 0; i < offsets.Length; i++)
            {
                var at = serialized.AsSpan(from).IndexOf(Encoding.ASCII.GetBytes(request.Items[i].Value));
                var value = at < 0 ? throw new InvalidOperationException("value not found in its batch") : from + at;
                offsets[i] = patchFirstDigits ? value : value + request.Items[i].Value.Length - 8;
                from = value + request.Items[i].Value.Length;
            }

            return new Template(serialized, offsets);
        }

        public byte[] Fresh(long call)
        {
            var copy = (byte[])Serialized.Clone();
            Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N"), copy.AsSpan(2, 32));
            Span<byte> prefix = stackalloc byte[8];
            Encoding.ASCII.GetBytes(((uint)call).ToString("x8", CultureInfo.InvariantCulture), prefix);
            foreach (var offset in ValueOffsets)
            {
                prefix.CopyTo(copy.AsSpan(offset));
            }

            return copy;
        }
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
