using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>With Redis gone, signal calls fail fast and retryably with UNAVAILABLE instead of UNKNOWN.</summary>
public sealed class SignalOutageTests
{
    [Fact]
    public async Task Submit_and_lookup_fail_with_unavailable_while_redis_is_down()
    {
        var redis = new TestRedis();
        // Short timeouts: the point is the status code, not how long the multiplexer waits for Redis to return.
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString + ",asyncTimeout=1000,syncTimeout=1000");
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "outage-member" });
        var client = new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync("outage-member", created.ClientSecret)));
        var value = RandomSha256();
        await client.SubmitAsync(new SubmitRequest { RequestId = "before", Items = { Sha256(value) } });

        redis.Dispose();
        var submit = await Assert.ThrowsAsync<RpcException>(() =>
            client.SubmitAsync(new SubmitRequest { RequestId = "during", Items = { Sha256(value) } }).ResponseAsync);
        var lookup = await Assert.ThrowsAsync<RpcException>(() =>
            client.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = value } } }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, submit.StatusCode);
        Assert.Equal(StatusCode.Unavailable, lookup.StatusCode);
    }
}
