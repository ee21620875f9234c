using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// Redis killed (-9), stopped and restarted while members load signals (SubmitStream and Submit) and follow the feed:
/// with AOF persistence every acknowledged signal is stored after the restart, counted once, and reaches a
/// subscriber that resumes with its cursor. Redis runs with <c>appendfsync always</c> here, so what it acknowledged to
/// the hub is on disk before the hub acknowledges it: the test checks the hub's part (never acknowledging what Redis
/// has not taken) without Redis's own everysec window. Under everysec, as production runs, DESIGN allows up to a second
/// lost when Redis dies, and Redis stretches that to two when an fsync is slow: it then replies before writing the AOF
/// (the 450 of 9,000 lost once in a suite run at load 60 were that window, not the hub).
/// </summary>
public sealed class RedisKillDuringIngestTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly string[] FsyncEveryWrite = ["--appendfsync", "always"];
    private readonly RestartableRedis redis = new();

    [Fact]
    public async Task No_acknowledged_signal_is_lost_when_redis_is_killed_or_stopped_during_ingest_and_streams()
    {
        await redis.StartAsync(extraArguments: FsyncEveryWrite);
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "kill-member" });
        var client = new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync("kill-member", created.ClientSecret)));
        var streamed = IngestLedger.Batches("stream", count: 120, size: 50);
        var unary = IngestLedger.Batches("unary", count: 60, size: 50);
        await using var feed = await ResumingFeed.OpenAsync(_ => client);
        var loader = new ResumableSubmitStream(_ => client);
        var unaryAcknowledged = new List<string>();
        var unaryFailures = new List<(StatusCode Status, string Detail)>();

        var streaming = loader.RunAsync(streamed, Bound);
        var submitting = SubmitEachUntilAcceptedAsync(client, unary, unaryAcknowledged, unaryFailures);
        var faults = new List<string>();
        foreach (var (afterBatches, kill) in new[] { (20, true), (50, false), (80, true) })
        {
            await WaitUntilAsync(() => loader.AcknowledgedCount >= afterBatches || streaming.IsCompleted);
            faults.Add($"{(kill ? "kill -9" : "stop")} after {loader.AcknowledgedCount}/{streamed.Length} batches");
            if (kill)
            {
                redis.Kill();
            }
            else
            {
                redis.Stop();
            }

            await Task.Delay(300);
            await redis.StartAsync(extraArguments: FsyncEveryWrite);
        }

        await streaming;
        await submitting;
        var acknowledged = IngestLedger.Acknowledged(streamed.Concat(unary), loader.Acknowledgements.Select(a => a.RequestId).Concat(unaryAcknowledged));
        var (lost, miscounted) = await IngestLedger.VerifyAsync(client, acknowledged);
        await feed.WaitForAllAsync(acknowledged, Bound);

        output.WriteLine($"faults injected: {faults.Count} ({string.Join("; ", faults)}); acknowledged signals: {acknowledged.Count}; lost: {lost}; counted twice: {miscounted}");
        output.WriteLine($"SubmitStream breaks: {string.Join(", ", loader.Breaks.Select(b => b.Status))}; Submit failures: {unaryFailures.Count}; feed resumptions: {feed.Ends.Count}");
        Assert.Equal(streamed.Length, loader.AcknowledgedCount);
        Assert.Equal(unary.Length, unaryAcknowledged.Count);
        Assert.All(faults, f => Assert.DoesNotContain($"{streamed.Length}/{streamed.Length}", f, StringComparison.Ordinal)); // every fault hit a running load
        Assert.Equal(0, lost);
        Assert.Equal(0, miscounted);
        Assert.All(loader.Breaks, b => Assert.True(b.Status == nameof(StatusCode.Unavailable), $"a stream broke with {b.Status} '{b.Detail}'"));
        Assert.All(unaryFailures, f => Assert.True(f.Status == StatusCode.Unavailable, $"a Submit failed with {f.Status} '{f.Detail}'"));
        Assert.All(feed.Ends, s => Assert.Equal(StatusCode.Unavailable, s));
        Assert.Equal(feed.Values.Count, feed.Values.Distinct(StringComparer.Ordinal).Count()); // resumed without repeats
    }

    public void Dispose() => redis.Dispose();

    // The unary client's side of the contract: retry a refused batch with the same request id until it is accepted.
    private static async Task SubmitEachUntilAcceptedAsync(SignalService.SignalServiceClient client, SubmitStreamRequest[] batches, List<string> acknowledged, List<(StatusCode Status, string Detail)> failures)
    {
        using var bound = new CancellationTokenSource(Bound);
        foreach (var batch in batches)
        {
            var request = new SubmitRequest { RequestId = batch.RequestId, Items = { batch.Items } };
            while (true)
            {
                try
                {
                    await client.SubmitAsync(request, cancellationToken: bound.Token);
                    acknowledged.Add(batch.RequestId);
                    break;
                }
                catch (RpcException e) when (!bound.IsCancellationRequested && e.StatusCode != StatusCode.InvalidArgument)
                {
                    failures.Add((e.StatusCode, e.Status.Detail));
                    await Task.Delay(100, CancellationToken.None);
                }
            }

            await Task.Delay(5, CancellationToken.None); // spread the unary load over the faults
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.UntilAsync(condition, Bound, "the batches before the fault to be acknowledged", poll: TimeSpan.FromMilliseconds(5));
}
