using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// A hub replica killed (SIGKILL) in the middle of a SubmitStream bulk load and of a Subscribe: every batch it
/// acknowledged is stored; resending the unacknowledged batches with their same request ids to another replica
/// completes the load with every signal counted once; the subscriber resumes on the other replica from its cursor.
/// </summary>
public sealed class ReplicaKillDuringSubmitStreamTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestRedis redis = new();

    [Fact]
    public async Task Acknowledged_batches_survive_a_killed_replica_and_resending_the_rest_elsewhere_counts_each_signal_once()
    {
        await using var survivor = await HubInstance.StartAsync(redis.ConnectionString);
        var admin = await survivor.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "replica-kill-member" });
        await using var doomed = await HubProcess.StartAsync(redis.ConnectionString, survivor.DataPath);
        var onDoomed = new SignalService.SignalServiceClient(doomed.Invoker(await doomed.GetTokenAsync("replica-kill-member", created.ClientSecret)));
        var onSurvivor = new SignalService.SignalServiceClient(survivor.Invoker(await survivor.GetTokenAsync("replica-kill-member", created.ClientSecret)));
        var batches = IngestLedger.Batches("replica", count: 100, size: 50);
        // First attempt on the doomed replica, every later one on the survivor (a load balancer would do the same).
        await using var feed = await ResumingFeed.OpenAsync(attempt => attempt == 0 ? onDoomed : onSurvivor);
        var loader = new ResumableSubmitStream(attempt => attempt == 0 ? onDoomed : onSurvivor);

        var loading = loader.RunAsync(batches, Bound);
        using (var bound = new CancellationTokenSource(Bound))
        {
            while (loader.AcknowledgedCount < 15 && !loading.IsCompleted)
            {
                await Task.Delay(2, bound.Token);
            }
        }

        var acknowledgedBeforeKill = loader.Acknowledgements.Select(a => a.RequestId).ToArray();
        doomed.Kill();
        var (lostAtKill, _) = await IngestLedger.VerifyAsync(onSurvivor, IngestLedger.Acknowledged(batches, acknowledgedBeforeKill));
        await loading;
        var all = IngestLedger.Acknowledged(batches, loader.Acknowledgements.Select(a => a.RequestId));
        var (lost, miscounted) = await IngestLedger.VerifyAsync(onSurvivor, all);
        var stats = await admin.GetStatsAsync(new GetStatsRequest());
        await feed.WaitForAllAsync(all, Bound);

        var resent = loader.Acknowledgements.Skip(acknowledgedBeforeKill.Length).ToArray();
        output.WriteLine($"faults injected: 1 (replica kill -9 after {acknowledgedBeforeKill.Length}/{batches.Length} batches acknowledged); "
            + $"stream breaks: {string.Join(", ", loader.Breaks.Select(b => b.Status))}; lost at the kill: {lostAtKill}; lost in the end: {lost}; counted twice: {miscounted}; "
            + $"batches acknowledged by the survivor: {resent.Length}; feed resumptions: {feed.Ends.Count}");
        Assert.True(acknowledgedBeforeKill.Length < batches.Length, "the load finished before the kill; the test proved nothing");
        Assert.NotEmpty(loader.Breaks);
        Assert.Equal(0, lostAtKill);
        Assert.Equal(batches.Length, loader.AcknowledgedCount);
        Assert.Equal(0, lost);
        Assert.Equal(0, miscounted);
        Assert.Equal((ulong)(batches.Length * 50), stats.SignalsTotal);
        Assert.Equal(feed.Values.Count, feed.Values.Distinct(StringComparer.Ordinal).Count());
    }

    public void Dispose() => redis.Dispose();
}
