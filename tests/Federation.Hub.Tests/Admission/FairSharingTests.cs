using System.Globalization;
using Federation.Contracts.V1;
using Federation.Hub.Admission;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Admission;

/// <summary>
/// The per-member fair-sharing limits on a real hub with small limits: one member over a limit is refused with
/// RESOURCE_EXHAUSTED naming it, while another member's calls on the same replica go through.
/// </summary>
public sealed class FairSharingTests(HubFixture fixture) : IClassFixture<HubFixture>, IAsyncLifetime
{
    private static readonly TimeSpan NotStuck = TimeSpan.FromSeconds(30);
    private HubInstance hub = null!;

    public async ValueTask InitializeAsync() =>
        hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Fairness:MaxConcurrentCalls"] = "2",
            ["Federation:Fairness:MaxConcurrentCallsPerMember"] = "1",
            ["Federation:Fairness:MaxQueuedCallsPerMember"] = "1",
            ["Federation:Fairness:MaxStreamsPerMember"] = "2",
            ["Federation:Fairness:MaxConnectionsPerMember"] = "1",
        });

    public async ValueTask DisposeAsync() => await hub.DisposeAsync();

    [Fact]
    public async Task A_member_over_its_calls_in_progress_is_refused_with_a_retry_delay_while_another_member_is_served()
    {
        var flooder = await fixture.CreateSignalMemberAsync(hub: hub);
        var victim = await fixture.CreateSignalMemberAsync(hub: hub);
        // Two open SubmitStream calls are the flooder's two calls in progress (1 executing + 1 queued).
        using var first = flooder.Client.SubmitStream(deadline: DateTime.UtcNow + NotStuck);
        using var second = flooder.Client.SubmitStream(deadline: DateTime.UtcNow + NotStuck);
        await SubmitOnStreamAsync(first);
        await SubmitOnStreamAsync(second);

        var refused = await Assert.ThrowsAsync<RpcException>(() => flooder.SubmitAsync(Sha256(RandomSha256())));
        var victimSubmit = await victim.SubmitAsync(Sha256(RandomSha256()));
        var victimLookup = await victim.LookupOneAsync(SignalType.Sha256, RandomSha256());

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("MaxQueuedCallsPerMember", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("this refusal was held", refused.Status.Detail, StringComparison.Ordinal);
        var retryAfter = long.Parse(refused.Trailers.GetValue("retry-after-ms")!, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 10, 10_000);
        Assert.Equal(1u, victimSubmit.Summary.Created);
        Assert.Null(victimLookup.Error);

        // Closing its calls gives the member its share back.
        await first.RequestStream.CompleteAsync();
        await second.RequestStream.CompleteAsync();
        Assert.False(await first.ResponseStream.MoveNext());
        Assert.False(await second.ResponseStream.MoveNext());
        await WaitUntilAsync(() => Task.FromResult(hub.Services.GetRequiredService<FairAdmissionGate>().ShareOf(flooder.Id).Reserved == 0), NotStuck, "the streams' calls ended");
        Assert.Equal(1u, (await flooder.SubmitAsync(Sha256(RandomSha256()))).Summary.Created);
    }

    [Fact]
    public async Task A_member_flooding_past_its_limits_is_paced_and_refused_with_held_retry_hints_while_both_members_data_stays_right()
    {
        var flooder = await fixture.CreateSignalMemberAsync(hub: hub);
        var victim = await fixture.CreateSignalMemberAsync(hub: hub);
        var accepted = new System.Collections.Concurrent.ConcurrentBag<string[]>();
        var refusals = new System.Collections.Concurrent.ConcurrentBag<RpcException>();

        // Four loops of Submit calls back to back, retry hints ignored, against 2 calls in progress: the flooder is
        // heavy next to the victim (paced, its batches' script calls windowed) and its calls beyond the limit are
        // refused after a hold. Bounded: 24 calls.
        var flood = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var call = 0; call < 6; call++)
            {
                var values = Enumerable.Range(0, 50).Select(_ => RandomSha256()).ToArray();
                try
                {
                    var response = await flooder.SubmitAsync(values.Select(v => Sha256(v)).ToArray());
                    Assert.Equal(50u, response.Summary.Created);
                    accepted.Add(values);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    refusals.Add(e);
                }
            }
        })).ToArray();
        var victimValues = new List<string>();
        for (var call = 0; call < 5; call++)
        {
            var value = RandomSha256();
            Assert.Equal(1u, (await victim.SubmitAsync(Sha256(value))).Summary.Created);
            victimValues.Add(value);
            Assert.NotEmpty((await victim.LookupOneAsync(SignalType.Sha256, victimValues[0])).Matches);
        }

        await Task.WhenAll(flood).WaitAsync(NotStuck);

        Assert.NotEmpty(accepted);
        Assert.Equal(24, accepted.Count + refusals.Count);
        Assert.All(refusals, refused =>
        {
            Assert.Contains("MaxQueuedCallsPerMember", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("retry-after-ms", refused.Status.Detail, StringComparison.Ordinal);
            Assert.InRange(long.Parse(refused.Trailers.GetValue("retry-after-ms")!, CultureInfo.InvariantCulture), 10, 10_000);
        });
        // Every item of every accepted batch is stored and found, by either member; the victim's too.
        foreach (var value in accepted.Select(batch => batch[^1]).Concat(victimValues))
        {
            Assert.NotEmpty((await victim.LookupOneAsync(SignalType.Sha256, value)).Matches);
        }
    }

    [Fact]
    public async Task A_member_over_its_stream_limit_is_refused_while_another_member_subscribes()
    {
        var reader = await fixture.CreateSignalMemberAsync(hub: hub);
        var other = await fixture.CreateSignalMemberAsync(hub: hub);
        using var stop = new CancellationTokenSource(NotStuck);
        using var one = await SubscribedAsync(reader, stop.Token);
        using var two = await SubscribedAsync(reader, stop.Token);

        using var third = reader.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest }, cancellationToken: stop.Token);
        var refused = await Assert.ThrowsAsync<RpcException>(() => third.ResponseStream.MoveNext(stop.Token));
        using var others = await SubscribedAsync(other, stop.Token);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("MaxStreamsPerMember", refused.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(others);

        // A closed stream frees its place.
        one.Dispose();
        await WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref hub.Services.GetRequiredService<FairAdmissionGate>().ShareOf(reader.Id).Streams) < 2), NotStuck, "the cancelled stream ended");
        using var again = await SubscribedAsync(reader, stop.Token);
    }

    [Fact]
    public async Task A_member_over_its_connection_limit_is_refused_on_a_new_connection_and_served_on_its_open_one()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var token = await hub.GetTokenAsync(id, secret);
        var member = new SignalMember(id, new SignalService.SignalServiceClient(hub.Invoker(token)));
        using var stop = new CancellationTokenSource(NotStuck);
        using var open = await SubscribedAsync(member, stop.Token);
        using var secondChannel = GrpcChannel.ForAddress(hub.GrpcAddress);
        var onSecondConnection = new SignalService.SignalServiceClient(secondChannel.Intercept(m =>
        {
            m.Add("Authorization", "Bearer " + token);
            return m;
        }));

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await onSecondConnection.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = RandomSha256() } } }));
        var onOpenConnection = await member.LookupOneAsync(SignalType.Sha256, RandomSha256());

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("MaxConnectionsPerMember", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Null(onOpenConnection.Error);
    }

    private static async Task SubmitOnStreamAsync(AsyncDuplexStreamingCall<SubmitStreamRequest, SubmitStreamResponse> call)
    {
        await call.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { Sha256(RandomSha256()) } });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(1u, call.ResponseStream.Current.Summary.Created);
    }

    // A Subscribe stream that has delivered its first update (a heartbeat within a second), so it is open on the hub.
    private static async Task<AsyncServerStreamingCall<SubscribeResponse>> SubscribedAsync(SignalMember member, CancellationToken stop)
    {
        var call = member.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest }, cancellationToken: stop);
        Assert.True(await call.ResponseStream.MoveNext(stop));
        return call;
    }
}
