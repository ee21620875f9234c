using System.Collections.Concurrent;
using System.Globalization;
using Federation.Client.Subscriptions;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

public sealed class SubscriptionTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string cursorDirectory = Directory.CreateTempSubdirectory("federation-sdk-cursors-").FullName;

    public void Dispose() => Directory.Delete(cursorDirectory, recursive: true);

    [Fact]
    public async Task Subscriber_resumes_across_a_hub_restart_without_gaps_or_repeats()
    {
        // The subscriber's hub restarts on the same ports; a second replica keeps taking submissions meanwhile.
        var dataPath = Directory.CreateTempSubdirectory("federation-sdk-hub-").FullName;
        var ports = new Dictionary<string, string?>
        {
            ["Federation:HttpPort"] = LocalRedisServer.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = LocalRedisServer.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
        };
        var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath, ports);
        using var writer = await TestClients.NewMemberAsync(fixture);
        var (readerId, readerSecret) = await fixture.CreateMemberAsync();
        var readerOptions = TestClients.Options(hub, readerId, readerSecret);
        readerOptions.HubAddress = new Uri($"http://127.0.0.1:{ports["Federation:GrpcPort"]}");
        readerOptions.TokenEndpoint = new Uri($"http://127.0.0.1:{ports["Federation:HttpPort"]}/connect/token");
        using var reader = new FederationClient(readerOptions);
        var received = new ConcurrentQueue<SignalUpdate>();
        using var stop = new CancellationTokenSource();
        var reconnects = new ConcurrentQueue<string>();
        var consumer = ConsumeAsync(reader, new SubscriptionOptions { IncludeHeartbeats = true, OnReconnect = (e, _) => reconnects.Enqueue(e?.Message ?? "ended") }, received, stop.Token);
        await WaitAsync(consumer, () => !received.IsEmpty, "the first heartbeat", reconnects);

        var before = await SubmitAsync(writer, 40);
        await WaitAsync(consumer, () => Created(received).Count >= 40, "updates before the restart", reconnects);
        await hub.DisposeAsync();
        var during = await SubmitAsync(writer, 40);
        hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath, ports);
        var after = await SubmitAsync(writer, 40);
        await WaitAsync(consumer, () => Created(received).Count >= 120, "every update after the restart", reconnects);
        await stop.CancelAsync();
        await consumer;
        await hub.DisposeAsync();

        // Order is promised per signal, not across partitions: compare as sets, and count to catch repeats.
        var delivered = Created(received);
        Assert.Equal(120, delivered.Count);
        Assert.Equal(before.Concat(during).Concat(after).Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal));
        Assert.NotEmpty(reconnects);
    }

    [Fact]
    public async Task Restarted_consumer_continues_from_its_file_cursor()
    {
        using var writer = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var store = new FileCursorStore(cursorDirectory);
        var options = new SubscriptionOptions { CursorStore = store, CursorKey = "consumer", IncludeHeartbeats = true };
        var first = new ConcurrentQueue<SignalUpdate>();
        using (var stop = new CancellationTokenSource())
        {
            var consumer = ConsumeAsync(reader, options, first, stop.Token);
            await WaitAsync(consumer, () => !first.IsEmpty, "the first heartbeat");
            var firstBatch = await SubmitAsync(writer, 10);
            await WaitAsync(consumer, () => Created(first).Count >= 10, "the first batch");
            await stop.CancelAsync();
            await consumer;
            Assert.Equal(firstBatch.Order(StringComparer.Ordinal), Created(first).Order(StringComparer.Ordinal));
        }

        var whileStopped = await SubmitAsync(writer, 10);
        var second = new ConcurrentQueue<SignalUpdate>();
        using (var stop = new CancellationTokenSource())
        {
            var consumer = ConsumeAsync(reader, options, second, stop.Token);
            await WaitAsync(consumer, () => Created(second).Count >= 10, "updates made while stopped");
            await stop.CancelAsync();
            await consumer;
        }

        Assert.Equal(10, Created(second).Count);
        Assert.Equal(whileStopped.Order(StringComparer.Ordinal), Created(second).Order(StringComparer.Ordinal));
        Assert.NotNull(await store.LoadAsync("consumer"));
    }

    private static async Task WaitAsync(Task consumer, Func<bool> condition, string what, IEnumerable<string>? reconnects = null)
    {
        await TestClients.EventuallyAsync(() => consumer.IsCompleted || condition(), Patience, what, () => string.Join(" | ", reconnects ?? []));
        if (consumer.IsCompleted)
        {
            await consumer;
            Assert.Fail($"the subscription ended while waiting for {what}");
        }
    }

    private static async Task<List<string>> SubmitAsync(FederationClient writer, int count)
    {
        var items = Enumerable.Range(0, count).Select(_ => SignalCallTests.Sha256Item()).ToList();
        var result = await writer.SubmitAsync(items);
        Assert.Equal(count, result.Created);
        return result.Results.Select(r => r.SignalId).ToList();
    }

    private static List<string> Created(IEnumerable<SignalUpdate> updates) =>
        updates.Where(u => u.Kind == UpdateKind.Created).Select(u => u.Signal.Id).ToList();

    private static async Task ConsumeAsync(FederationClient client, SubscriptionOptions options, ConcurrentQueue<SignalUpdate> sink, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in client.SubscribeAsync(options, cancellationToken))
            {
                sink.Enqueue(update);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
