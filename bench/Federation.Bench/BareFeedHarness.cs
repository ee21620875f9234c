using System.Net;
using System.Threading.Channels;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Federation.Bench;

/// <summary>
/// The feed benchmarks' anchors: a minimal Kestrel + Grpc.AspNetCore server in this process implementing the same
/// <c>SignalService.Subscribe</c> RPC with the same update frames as the hub, fed in memory — no Redis, no tail, no
/// token check, no per-update access rules — so the same <c>feed-clients</c> process subscribes to it as to the hub.
/// </summary>
/// <remarks>
/// <para><see cref="FeedAnchor.Bare"/> (feed latency anchor): each subscriber has an unbounded channel the publisher
/// writes one batch per Submit into, and writes the batch with <see cref="WriteFlags.BufferHint"/> on all but the last
/// message, so one flush per batch as the hub does. <see cref="FeedAnchor.Naive"/> (fan-out anchor): no queue; the
/// publisher awaits one <c>WriteAsync</c> per subscriber per update (each flushes), all subscribers of an update in
/// parallel, updates one after another.</para>
/// <para>Auth: none. The hub validates the bearer token and the member's status once when a stream opens and applies
/// sharing-group rules per update; the first is not on the delivery path and the second is hub work the anchor leaves
/// out on purpose. Kestrel's HTTP/2 limits are the hub's (100 streams per connection; the clients use 50).</para>
/// </remarks>
internal sealed class BareFeedHarness : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly List<Channel<SubscribeResponse[]>> queues = [];
    private readonly List<IServerStreamWriter<SubscribeResponse>> streams = [];
    private readonly SemaphoreSlim publishing = new(1, 1);
    private readonly SubscribeResponse template;
    private readonly SubscribeResponse heartbeat;
    private WebApplication? app;

    private BareFeedHarness(FeedAnchor anchor, SubscribeResponse template)
    {
        Anchor = anchor;
        this.template = template;
        heartbeat = new SubscribeResponse { Update = new SignalUpdate { Kind = UpdateKind.Heartbeat, Cursor = template.Update.Cursor } };
    }

    public FeedAnchor Anchor { get; }

    /// <summary>The h2c address on loopback.</summary>
    public string Address { get; private set; } = "";

    /// <summary>Streams open now.</summary>
    public int Subscribers
    {
        get
        {
            lock (gate)
            {
                return queues.Count + streams.Count;
            }
        }
    }

    /// <summary>Starts the server on a free loopback port; updates are shaped like <paramref name="template"/> (a CREATED update the hub sent).</summary>
    public static async Task<BareFeedHarness> StartAsync(FeedAnchor anchor, SubscribeResponse template)
    {
        var harness = new BareFeedHarness(anchor, template);
        var port = LocalRedisServer.FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 100;
            kestrel.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(harness);
        var app = builder.Build();
        app.MapGrpcService<BareSignalService>();
        await app.StartAsync();
        harness.app = app;
        harness.Address = $"http://127.0.0.1:{port}";
        return harness;
    }

    /// <summary>
    /// Subscribes to the hub, submits one signal and returns the CREATED update the hub sent for it: the anchors send
    /// updates of the same shape and size (signal record, cursor over every partition, emitted_at).
    /// </summary>
    public static async Task<SubscribeResponse> CaptureTemplateAsync(BenchMember member, int seed)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = member.Signals.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest }, cancellationToken: cancel.Token);

        // The first message (a heartbeat within a second) says the stream is attached, so the submit below is seen.
        if (!await call.ResponseStream.MoveNext(cancel.Token))
        {
            throw new InvalidOperationException("the hub ended the template subscription");
        }

        var value = new BenchSignals(seed).NextValue();
        await member.Signals.SubmitAsync(new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { BenchSignals.Submission(value) } }, cancellationToken: cancel.Token);
        for (var messages = 0; messages < 1000 && await call.ResponseStream.MoveNext(cancel.Token); messages++)
        {
            var update = call.ResponseStream.Current.Update;
            if (update.Kind == UpdateKind.Created && update.Signal.Value == value)
            {
                return call.ResponseStream.Current;
            }
        }

        throw new InvalidOperationException("the hub never sent the template update");
    }

    /// <summary>
    /// The in-memory publisher: one update per submitted item, shaped like the template with the item's (stamped) value,
    /// handed to every subscriber the anchor's way. Completes when the anchor took them (naive: when every write ended).
    /// </summary>
    public async Task PublishAsync(SubmitRequest request)
    {
        var now = Timestamp.FromDateTime(DateTime.UtcNow);
        var messages = new SubscribeResponse[request.Items.Count];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = Update(request.Items[i].Value, now);
        }

        if (Anchor == FeedAnchor.Bare)
        {
            lock (gate)
            {
                foreach (var queue in queues)
                {
                    queue.Writer.TryWrite(messages);
                }
            }

            return;
        }

        // Naive: updates one after another (a stream takes one write at a time), so a slow round delays the next
        // Submit's updates too — the queue is the publisher's. Off the caller's thread first: the ticker keeps its rate.
        await Task.Yield();
        await publishing.WaitAsync();
        try
        {
            IServerStreamWriter<SubscribeResponse>[] targets;
            lock (gate)
            {
                targets = [.. streams];
            }

            var writes = new Task[targets.Length];
            foreach (var message in messages)
            {
                for (var s = 0; s < targets.Length; s++)
                {
                    writes[s] = WriteIgnoringGoneAsync(targets[s], message);
                }

                await Task.WhenAll(writes);
            }
        }
        finally
        {
            publishing.Release();
        }
    }

    internal async Task SubscribeAsync(IServerStreamWriter<SubscribeResponse> stream, ServerCallContext context)
    {
        // Tells the audience the stream is attached, as the hub's first heartbeat does.
        await stream.WriteAsync(heartbeat);
        if (Anchor == FeedAnchor.Naive)
        {
            lock (gate)
            {
                streams.Add(stream);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                lock (gate)
                {
                    streams.Remove(stream);
                }
            }

            return;
        }

        var queue = Channel.CreateUnbounded<SubscribeResponse[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (gate)
        {
            queues.Add(queue);
        }

        var buffered = new WriteOptions(WriteFlags.BufferHint);
        var flushed = new WriteOptions();
        try
        {
            await foreach (var batch in queue.Reader.ReadAllAsync(context.CancellationToken))
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    stream.WriteOptions = i == batch.Length - 1 ? flushed : buffered;
                    await stream.WriteAsync(batch[i]);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (gate)
            {
                queues.Remove(queue);
            }
        }
    }

    private SubscribeResponse Update(string value, Timestamp now)
    {
        var message = template.Clone();
        var signal = message.Update.Signal;
        var old = template.Update.Signal.Value;
        signal.Id = signal.Id.Replace(old, value, StringComparison.Ordinal);
        signal.RecordId = signal.RecordId.Replace(old, value, StringComparison.Ordinal);
        signal.Value = value;
        signal.FirstSeen = now;
        signal.LastSeen = now;
        message.Update.EmittedAt = now;
        return message;
    }

    // A subscriber that went away mid-write is simply gone; the audience counts what was delivered.
    private static async Task WriteIgnoringGoneAsync(IServerStreamWriter<SubscribeResponse> stream, SubscribeResponse message)
    {
        try
        {
            await stream.WriteAsync(message);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        publishing.Dispose();
    }

    /// <summary>The anchor's gRPC service: Subscribe only (every other method answers UNIMPLEMENTED).</summary>
    internal sealed class BareSignalService(BareFeedHarness harness) : SignalService.SignalServiceBase
    {
        public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context) =>
            harness.SubscribeAsync(responseStream, context);
    }
}
