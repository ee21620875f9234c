using System.Diagnostics;
using System.Globalization;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Faults;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Hub.Tests.Cluster;

/// <summary>
/// A master of a real Redis Cluster (3 masters, 1 replica each) killed with SIGKILL while members load signals over
/// gRPC (Submit and SubmitStream), with the hub waiting for one replica's acknowledgement of every submitted write
/// (<c>Federation:Store:ReplicaAcknowledgements=1</c>): no acknowledged signal is lost after the replica takes over,
/// every refused call is UNAVAILABLE (retryable), the promoted master is not trusted with acknowledged writes while it
/// has no replica, and the same hub process accepts submissions again once the killed node is back as its replica.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Members = 3;
    private const int BatchesPerMember = 40;
    private const int BatchSize = 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Killing_a_master_during_ingest_loses_no_acknowledged_signal_and_the_hub_recovers_without_restart()
    {
        using var cluster = await RedisCluster.StartAsync(masters: 3, replicasPerMaster: 1);
        await using var hub = await HubInstance.StartAsync(cluster.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Store:ReplicaAcknowledgements"] = "1",
            ["Federation:Store:ReplicaAcknowledgementTimeout"] = "00:00:00.500",
        });
        var admin = await hub.AdminClientAsync();
        var clients = new SignalService.SignalServiceClient[Members + 1];
        for (var m = 0; m < clients.Length; m++)
        {
            var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = $"failover-{m}" });
            clients[m] = new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync($"failover-{m}", created.ClientSecret)));
        }

        var doomed = await cluster.MasterOfAsync(RedisKeys.Feed(0));
        var doomedPartitions = new HashSet<int>();
        for (var p = 0; p < 16; p++)
        {
            if ((await cluster.MasterOfAsync(RedisKeys.Feed(p))).Port == doomed.Port)
            {
                doomedPartitions.Add(p);
            }
        }

        RedisCluster.Node? heir = null;
        foreach (var node in cluster.Nodes.Where(n => n != doomed))
        {
            if ((await node.CommandAsync("INFO", "replication")).Contains($"master_port:{doomed.Port}\r\n", StringComparison.Ordinal))
            {
                heir = node;
            }
        }

        Assert.NotNull(heir);
        var ledger = new UnaryLedger();
        var unary = Enumerable.Range(0, Members).Select(m => IngestLedger.Batches($"unary-{m}", BatchesPerMember, BatchSize)).ToArray();
        var streamed = IngestLedger.Batches("stream", BatchesPerMember, BatchSize);
        var clock = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(Bound);
        var loaders = Enumerable.Range(0, Members).Select(m => SubmitEachUntilAcceptedAsync(clients[m], unary[m], ledger, clock, bound.Token)).ToList();
        var stream = new ResumableSubmitStream(_ => clients[Members]);
        loaders.Add(stream.RunAsync(streamed, Bound));

        // Act: kill the master mid-load, wait for its replica's promotion, see the promoted master refused, restart the node.
        await Eventually.UntilAsync(() => ledger.Acknowledged.Length >= 10, Bound, "batches acknowledged before the kill", poll: TimeSpan.FromMilliseconds(5));
        var acknowledgedBeforeKill = ledger.Acknowledged.Length;
        var killedAt = clock.Elapsed;
        doomed.Kill();
        await Eventually.UntilAsync(
            async () => (await heir.CommandAsync("INFO", "replication")).Contains("role:master", StringComparison.Ordinal), Bound,
            "the killed master's replica to be promoted", poll: TimeSpan.FromMilliseconds(20));
        await cluster.WaitUntilHealthyAsync(Bound);
        var promotedAt = clock.Elapsed;
        await Eventually.UntilAsync(
            () => ledger.Failures.Count(f => f.At > promotedAt) >= Members || loaders.All(l => l.IsCompleted), Bound,
            "submissions refused by the promoted master (it has no replica to acknowledge them)", poll: TimeSpan.FromMilliseconds(5));
        var restartedAt = clock.Elapsed;
        await doomed.RestartAsync();
        await Task.WhenAll(loaders);
        await cluster.WaitUntilHealthyAsync(Bound);

        var acknowledged = IngestLedger.Acknowledged(
            unary.SelectMany(b => b).Concat(streamed), ledger.Acknowledged.Select(a => a.RequestId).Concat(stream.Acknowledgements.Select(a => a.RequestId)));
        var (lost, miscounted) = await IngestLedger.VerifyAsync(clients[0], acknowledged);
        var byRequest = unary.SelectMany(b => b).ToDictionary(b => b.RequestId, StringComparer.Ordinal);
        var acknowledgedByOrphan = ledger.Acknowledged
            .Where(a => a.At > promotedAt && a.At < restartedAt && byRequest[a.RequestId].Items.Any(i => doomedPartitions.Contains(FeedTestMember.PartitionOf(i.Value))))
            .ToArray();
        var recoveredAt = ledger.Acknowledged.Where(a => a.At > restartedAt).Select(a => (TimeSpan?)a.At).Min();
        var outcomes = ledger.Acknowledged.SelectMany(a => a.Outcomes).GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"killed master {doomed.Port} (partitions {string.Join(",", doomedPartitions)}) at {killedAt.TotalSeconds:0.00} s after {acknowledgedBeforeKill} batches; "
            + $"replica promoted and cluster ok after {(promotedAt - killedAt).TotalSeconds:0.00} s; node restarted at {restartedAt.TotalSeconds:0.00} s; "
            + $"first submit acknowledged {(recoveredAt - restartedAt)?.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) ?? "never"} s after the restart; load done at {clock.Elapsed.TotalSeconds:0.00} s"));
        output.WriteLine($"acknowledged signals: {acknowledged.Count}; lost: {lost}; counted twice: {miscounted}; outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"Submit failures: {ledger.Failures.Length} ({string.Join(", ", ledger.Failures.GroupBy(f => f.Status).Select(g => $"{g.Key} {g.Count()}"))}); "
            + $"SubmitStream breaks: {string.Join(", ", stream.Breaks.Select(b => b.Status))}");
        foreach (var detail in ledger.Failures.Select(f => f.Detail).Concat(stream.Breaks.Select(b => b.Detail)).Distinct(StringComparer.Ordinal).Take(5))
        {
            output.WriteLine($"  refusal: {detail}");
        }

        foreach (var line in hub.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Take(5))
        {
            output.WriteLine($"  hub: {line[..Math.Min(line.Length, 3000)]}");
        }

        Assert.True(acknowledgedBeforeKill < Members * BatchesPerMember, "the load finished before the kill; the test proved nothing");
        Assert.Equal(Members * BatchesPerMember, ledger.Acknowledged.Length);
        Assert.Equal(streamed.Length, stream.AcknowledgedCount);
        Assert.Equal(0, lost);
        Assert.Equal(0, miscounted);
        Assert.NotEmpty(ledger.Failures);
        Assert.All(ledger.Failures, f => Assert.True(f.Status == StatusCode.Unavailable, $"a Submit failed with {f.Status} '{f.Detail}'"));
        Assert.All(stream.Breaks, b => Assert.True(b.Status == nameof(StatusCode.Unavailable), $"a stream broke with {b.Status} '{b.Detail}'"));
        Assert.Empty(acknowledgedByOrphan);
        Assert.Contains($"master_port:{heir.Port}\r\n", await doomed.CommandAsync("INFO", "replication"), StringComparison.Ordinal); // back as the heir's replica
        Assert.All(ledger.Acknowledged.SelectMany(a => a.Outcomes), o => Assert.NotEqual(SubmitOutcome.Rejected, o));
    }

    // A member's side of the contract: retry a refused batch with the same request id after the retry-after-ms delay.
    private static async Task SubmitEachUntilAcceptedAsync(
        SignalService.SignalServiceClient client, SubmitStreamRequest[] batches, UnaryLedger ledger, Stopwatch clock, CancellationToken bound)
    {
        foreach (var batch in batches)
        {
            var request = new SubmitRequest { RequestId = batch.RequestId, Items = { batch.Items } };
            for (var attempt = 0; ; attempt++)
            {
                Assert.False(bound.IsCancellationRequested, $"batch {batch.RequestId} was not accepted within {Bound} ({attempt} attempts)");
                try
                {
                    var response = await client.SubmitAsync(request, cancellationToken: bound);
                    ledger.Acknowledge(batch.RequestId, clock.Elapsed, response.Results.Select(r => r.Outcome).ToArray());
                    break;
                }
                catch (RpcException e) when (!bound.IsCancellationRequested && e.StatusCode != StatusCode.InvalidArgument)
                {
                    ledger.Fail(clock.Elapsed, e.StatusCode, e.Status.Detail);
                    var delay = int.TryParse(e.Trailers.GetValue("retry-after-ms"), CultureInfo.InvariantCulture, out var ms) ? ms : 100;
                    await Task.Delay(Math.Min(delay, 500), CancellationToken.None);
                }
            }
        }
    }

    private sealed record Acknowledgement(string RequestId, TimeSpan At, SubmitOutcome[] Outcomes);

    private sealed record Failure(TimeSpan At, StatusCode Status, string Detail);

    // What the unary members were told, and when (thread-safe: the members submit concurrently).
    private sealed class UnaryLedger
    {
        private readonly Lock gate = new();
        private readonly List<Acknowledgement> acknowledged = [];
        private readonly List<Failure> failures = [];

        public Acknowledgement[] Acknowledged
        {
            get
            {
                lock (gate)
                {
                    return acknowledged.ToArray();
                }
            }
        }

        public Failure[] Failures
        {
            get
            {
                lock (gate)
                {
                    return failures.ToArray();
                }
            }
        }

        public void Acknowledge(string requestId, TimeSpan at, SubmitOutcome[] outcomes)
        {
            lock (gate)
            {
                acknowledged.Add(new Acknowledgement(requestId, at, outcomes));
            }
        }

        public void Fail(TimeSpan at, StatusCode status, string detail)
        {
            lock (gate)
            {
                failures.Add(new Failure(at, status, detail));
            }
        }
    }
}
