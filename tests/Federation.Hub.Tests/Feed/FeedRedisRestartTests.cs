using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Hub.Tests.Feed;

/// <summary>The feed survives a Redis restart: the tail reconnects and resumes from its last ids.</summary>
public sealed class FeedRedisRestartTests : IDisposable
{
    private readonly RestartableRedis redis = new();

    [Fact]
    public async Task Open_stream_keeps_delivering_after_redis_restarts()
    {
        await redis.StartAsync(waitUntilLoaded: true, "--appendfsync", "always");
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString + ",asyncTimeout=2000,syncTimeout=2000");
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "restart-member" });
        var member = new FeedTestMember("restart-member", new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync("restart-member", created.ClientSecret))));
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var before = FeedTestMember.RandomSha256();
        var after = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(before));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == before), "the update before the restart");

        redis.Kill();
        await redis.StartAsync();
        await SubmitWhenBackAsync(member, after);
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == after), "the update after the restart");

        Assert.Single(feed.SignalUpdates, x => x.Signal.Value == before);
        Assert.Single(feed.SignalUpdates, x => x.Signal.Value == after);
    }

    public void Dispose() => redis.Dispose();

    private static async Task SubmitWhenBackAsync(FeedTestMember member, string value)
    {
        using var timeout = new CancellationTokenSource(FeedReader.Timeout);
        var requestId = Guid.NewGuid().ToString("N");
        while (true)
        {
            try
            {
                await member.Client.SubmitAsync(new SubmitRequest { RequestId = requestId, Items = { FeedTestMember.Sha(value) } });
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !timeout.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }
}
