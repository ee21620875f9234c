using System.Globalization;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// <c>Federation:Store:ReplicaAcknowledgements</c> on a single Redis (no cluster): a submission no replica acknowledged is
/// refused with UNAVAILABLE and a retry hint, never reported CREATED; once a replica is attached, the same hub accepts
/// submissions again. The cluster failover itself is <see cref="Cluster.ClusterFailoverTests"/>.
/// </summary>
public sealed class ReplicaAcknowledgementTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly string root = Directory.CreateTempSubdirectory("federation-test-replica-ack-").FullName;

    [Fact]
    public async Task A_submission_no_replica_acknowledged_is_refused_with_unavailable_until_a_replica_is_attached()
    {
        using var primary = LocalRedisServer.Start(Path.Combine(root, "primary"), persistent: false);
        await using var hub = await StartHubAsync(primary, acknowledgementTimeout: "00:00:00.200");
        var client = await MemberClientAsync(hub, "replica-ack");
        var refusedValue = FeedTestMember.RandomSha256();
        var laterValue = FeedTestMember.RandomSha256();

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitAsync(Submit("refused", refusedValue)));
        using var replica = LocalRedisServer.Start(Path.Combine(root, "replica"), persistent: false);
        await AttachAsync(replica, primary);
        var retried = await SubmitUntilAcceptedAsync(client, Submit("refused", refusedValue));
        var later = await client.SubmitAsync(Submit("later", laterValue));
        var found = await client.LookupAsync(new LookupRequest
        {
            Queries = { new LookupQuery { Type = SignalType.Sha256, Value = refusedValue }, new LookupQuery { Type = SignalType.Sha256, Value = laterValue } },
        });

        AssertRefusedWithRetry(refused);
        // Redis applied the refused attempt's write; only the acknowledgement was withheld, so its retry finds it stored.
        Assert.Equal(SubmitOutcome.Unchanged, Assert.Single(retried.Results).Outcome);
        Assert.Equal(SubmitOutcome.Created, Assert.Single(later.Results).Outcome);
        Assert.All(found.Results, r => Assert.Single(r.Matches));
    }

    // A master demoted while a submission's WAIT blocks on it (a failover, as CI met it on a cluster) answers the WAIT with
    // "UNBLOCKED ... instance state changed": that is "not acknowledged" (UNAVAILABLE, retry), never UNKNOWN.
    [Fact]
    public async Task A_master_demoted_during_the_wait_refuses_the_submission_with_unavailable()
    {
        using var primary = LocalRedisServer.Start(Path.Combine(root, "primary"), persistent: false);
        using var other = LocalRedisServer.Start(Path.Combine(root, "other"), persistent: false);
        // Long enough that the demotion, not the timeout, ends the WAIT.
        await using var hub = await StartHubAsync(primary, acknowledgementTimeout: "00:00:10");
        var client = await MemberClientAsync(hub, "demoted-ack");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(primary.ConnectionString + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);

        var submit = client.SubmitAsync(Submit("demoted", FeedTestMember.RandomSha256())).ResponseAsync;
        await Eventually.UntilAsync(
            async () => ((string?)await server.ExecuteAsync("CLIENT", "LIST"))?.Contains(" cmd=wait ", StringComparison.Ordinal) == true,
            Bound, "the submission's WAIT to block on the primary");
        await server.ExecuteAsync("REPLICAOF", "127.0.0.1", other.Port.ToString(CultureInfo.InvariantCulture));
        var refused = await Assert.ThrowsAsync<RpcException>(() => submit);

        AssertRefusedWithRetry(refused);
        // gRPC's own log line for an exception a handler let through (the UNKNOWN of before).
        Assert.DoesNotContain(hub.Logs.Lines, l => l.Contains("Error when executing service method", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // One primary the hub writes to, with one replica acknowledgement required per write.
    private static Task<HubInstance> StartHubAsync(LocalRedisServer primary, string acknowledgementTimeout) =>
        HubInstance.StartAsync(primary.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Store:ReplicaAcknowledgements"] = "1",
            ["Federation:Store:ReplicaAcknowledgementTimeout"] = acknowledgementTimeout,
        });

    private static async Task<SignalService.SignalServiceClient> MemberClientAsync(HubInstance hub, string memberId)
    {
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = memberId });
        return new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync(memberId, created.ClientSecret)));
    }

    // What a member must see for an unacknowledged write: UNAVAILABLE, a store message, and when to retry.
    private static void AssertRefusedWithRetry(RpcException refused)
    {
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("store (Redis) is unavailable", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("500", refused.Trailers.GetValue("retry-after-ms"));
    }

    private static SubmitRequest Submit(string requestId, string value) =>
        new() { RequestId = requestId, Items = { FeedTestMember.Sha(value) } };

    private static async Task AttachAsync(LocalRedisServer replica, LocalRedisServer primary)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(replica.ConnectionString + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        await server.ExecuteAsync("REPLICAOF", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
        await Eventually.UntilAsync(
            async () => ((string?)await server.ExecuteAsync("INFO", "replication"))?.Contains("master_link_status:up", StringComparison.Ordinal) == true,
            Bound, "the replica to finish its sync with the primary");
    }

    // The hub refuses a master that was short of replicas for a moment (AcknowledgedWrites.RefusalInterval): retry as a client would.
    private static async Task<SubmitResponse> SubmitUntilAcceptedAsync(SignalService.SignalServiceClient client, SubmitRequest request)
    {
        SubmitResponse? response = null;
        await Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    response = await client.SubmitAsync(request);
                    return true;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            },
            Bound, "a submission to be accepted once the replica is attached", poll: TimeSpan.FromMilliseconds(100));
        return response!;
    }
}
