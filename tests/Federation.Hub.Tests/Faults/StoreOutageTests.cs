using Federation.Contracts.V1;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// While Redis is stopped or loading its data set, every kind of call fails at once with UNAVAILABLE and a retry hint
/// (never UNKNOWN, never a wait into DEADLINE_EXCEEDED); once Redis answers, calls succeed again without restarting
/// the hub, and open streams keep going.
/// </summary>
public sealed class StoreOutageTests(ITestOutputHelper output) : IDisposable
{
    private readonly RestartableRedis redis = new();

    [Fact]
    public async Task Every_call_fails_fast_with_unavailable_while_redis_is_stopped_and_succeeds_once_it_is_back()
    {
        await redis.StartAsync();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var (member, probes) = await ArrangeAsync(hub);
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());

        redis.Stop();
        var down = await probes.RunAllAsync();
        await redis.StartAsync();
        var firstSuccess = await SubmitUntilAcceptedAsync(member);
        var up = await probes.RunAllAsync();
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == firstSuccess), "the update submitted after the restart");

        Report("stopped", down);
        Assert.All(down, o =>
        {
            Assert.True(o.Status == StatusCode.Unavailable, $"{o.Call}: {o.Status} '{o.Detail}'");
            Assert.Contains("store (Redis) is unavailable", o.Detail, StringComparison.Ordinal);
            Assert.Equal("500", o.RetryAfterMs);
        });
        Assert.All(up, o => Assert.True(o.Status == StatusCode.OK, $"{o.Call} after the restart: {o.Status} '{o.Detail}'"));
        Assert.False(feed.Completion.IsCompleted, "the open stream ended during the outage");
    }

    [Fact]
    public async Task Every_call_is_unavailable_or_served_while_redis_loads_its_data_set()
    {
        await redis.StartAsync(waitUntilLoaded: true, "--enable-debug-command", "yes");
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var (member, probes) = await ArrangeAsync(hub);
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        await using (var direct = await ConnectionMultiplexer.ConnectAsync(redis.AdminConnectionString))
        {
            // Enough keys that a load slowed by key-load-delay takes seconds; the snapshot holds the hub's data too.
            await direct.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", 10_000, "fault:populate", 16);
            await direct.GetDatabase().ExecuteAsync("BGREWRITEAOF");
            await WaitForRewriteAsync(direct);
        }

        redis.Stop();
        // key-load-delay (µs per key, a debug setting) keeps the server answering LOADING for a few seconds; answering
        // events every KiB of input makes it answer LOADING instead of stalling connections until the load ends.
        await redis.StartAsync(waitUntilLoaded: false, "--key-load-delay", "100", "--loading-process-events-interval-bytes", "1024");
        var loading = new List<StoreProbes.Outcome>();
        var rounds = 0;
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while ((await redis.PingAsync()).StartsWith("-LOADING", StringComparison.Ordinal) && !bound.IsCancellationRequested)
            {
                loading.AddRange(await probes.RunAllAsync());
                rounds++;
            }
        }

        var after = FeedTestMember.RandomSha256();
        await SubmitUntilAcceptedAsync(member, after);
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == after), "the update submitted after the load");

        Report($"LOADING ({rounds} rounds)", loading);
        if (loading.Any(o => o.Status is not (StatusCode.OK or StatusCode.Unavailable)))
        {
            foreach (var line in hub.Logs.Lines.Where(l => l.Contains("SubmitStream", StringComparison.Ordinal) || l.Contains("xception", StringComparison.Ordinal) || l.Contains("Cancel", StringComparison.Ordinal)).Take(80))
            {
                output.WriteLine("DEBUG " + line);
            }
        }

        Assert.True(rounds > 0, "Redis finished loading before a probe ran; the test proved nothing");
        Assert.Contains(loading, o => o.Status == StatusCode.Unavailable);
        Assert.All(loading, o => Assert.True(
            o.Status == StatusCode.OK || (o.Status == StatusCode.Unavailable && o.RetryAfterMs is not null),
            $"{o.Call} during LOADING: {o.Status} '{o.Detail}'"));
        Assert.False(feed.Completion.IsCompleted, "the open stream ended during the load");
    }

    public void Dispose() => redis.Dispose();

    private static async Task<(FeedTestMember Member, StoreProbes Probes)> ArrangeAsync(HubInstance hub)
    {
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "outage-member" });
        var member = new FeedTestMember("outage-member", new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync("outage-member", created.ClientSecret))));
        var known = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(known));
        return (member, new StoreProbes(member.Client, admin, member.Id, known));
    }

    // Retries one Submit (same request id) until the hub accepts it: proves recovery without a hub restart.
    private static async Task<string> SubmitUntilAcceptedAsync(FeedTestMember member, string? value = null)
    {
        value ??= FeedTestMember.RandomSha256();
        var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { FeedTestMember.Sha(value) } };
        using var bound = new CancellationTokenSource(FeedReader.Timeout);
        while (true)
        {
            try
            {
                await member.Client.SubmitAsync(request, deadline: DateTime.UtcNow + StoreProbes.Deadline);
                return value;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !bound.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static async Task WaitForRewriteAsync(ConnectionMultiplexer direct)
    {
        using var bound = new CancellationTokenSource(FeedReader.Timeout);
        while (!bound.IsCancellationRequested)
        {
            var info = (string?)await direct.GetDatabase().ExecuteAsync("INFO", "persistence") ?? "";
            if (info.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal) && info.Contains("aof_rewrite_scheduled:0", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, CancellationToken.None);
        }

        Assert.Fail("the AOF rewrite did not finish");
    }

    private void Report(string fault, IReadOnlyList<StoreProbes.Outcome> outcomes)
    {
        foreach (var group in outcomes.GroupBy(o => (o.Call, o.Status)))
        {
            output.WriteLine($"{fault}: {group.Key.Call} -> {group.Key.Status} x{group.Count()}");
        }
    }
}
