using System.Diagnostics;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Feed;

/// <summary>The feed survives a Redis restart: the tail reconnects and resumes from its last ids.</summary>
public sealed class FeedRedisRestartTests : IDisposable
{
    private readonly int port = LocalRedisServer.FreeLoopbackPort();
    private readonly string directory = Directory.CreateTempSubdirectory("federation-test-restart-").FullName;
    private Process? redis;

    [Fact]
    public async Task Open_stream_keeps_delivering_after_redis_restarts()
    {
        await StartRedisAsync();
        await using var hub = await HubInstance.StartAsync($"127.0.0.1:{port},abortConnect=false,asyncTimeout=2000,syncTimeout=2000");
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "restart-member" });
        var member = new FeedTestMember("restart-member", new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync("restart-member", created.ClientSecret))));
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var before = FeedTestMember.RandomSha256();
        var after = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(before));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == before), "the update before the restart");

        StopRedis();
        await StartRedisAsync();
        await SubmitWhenBackAsync(member, after);
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == after), "the update after the restart");

        Assert.Single(feed.SignalUpdates, x => x.Signal.Value == before);
        Assert.Single(feed.SignalUpdates, x => x.Signal.Value == after);
    }

    public void Dispose()
    {
        StopRedis();
        Directory.Delete(directory, recursive: true);
    }

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

    private async Task StartRedisAsync()
    {
        redis = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "always", "--save", "" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using var timeout = new CancellationTokenSource(FeedReader.Timeout);
        while (true)
        {
            try
            {
                await using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=500");
                await probe.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private void StopRedis()
    {
        if (redis is { HasExited: false })
        {
            redis.Kill();
            redis.WaitForExit();
        }

        redis?.Dispose();
        redis = null;
    }
}
