using System.Net;
using System.Text.Json;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Health;

/// <summary>
/// Liveness never depends on Redis (an outage must not make an orchestrator restart every replica); readiness does:
/// it goes 503 while Redis is stopped and back to 200 once Redis answers, without restarting the hub.
/// </summary>
public sealed class HealthProbeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RestartableRedis redis = new();

    [Fact]
    public async Task Liveness_stays_up_while_redis_is_stopped_and_readiness_follows_redis()
    {
        await redis.StartAsync();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        await WaitForStatusAsync(hub, "health/ready", HttpStatusCode.OK);

        redis.Stop();
        await WaitForStatusAsync(hub, "health/ready", HttpStatusCode.ServiceUnavailable);
        var (liveStatus, _) = await GetAsync(hub, "health/live");
        var (oldLiveStatus, _) = await GetAsync(hub, "healthz");
        var (_, readyBody) = await GetAsync(hub, "health/ready");

        await redis.StartAsync();
        await WaitForStatusAsync(hub, "health/ready", HttpStatusCode.OK);
        var (oldReadyStatus, _) = await GetAsync(hub, "healthz/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(HttpStatusCode.OK, oldLiveStatus);
        using var ready = JsonDocument.Parse(readyBody);
        Assert.Equal("Unhealthy", ready.RootElement.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", ready.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.RootElement.GetProperty("checks").GetProperty("pdqIndex").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, oldReadyStatus);
    }

    [Fact]
    public async Task Liveness_runs_no_store_check_and_readiness_reports_store_and_pdq_index()
    {
        await redis.StartAsync();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        await WaitForStatusAsync(hub, "health/ready", HttpStatusCode.OK);

        var (_, liveBody) = await GetAsync(hub, "health/live");
        var (_, readyBody) = await GetAsync(hub, "health/ready");

        using var live = JsonDocument.Parse(liveBody);
        Assert.Equal("Healthy", live.RootElement.GetProperty("status").GetString());
        Assert.Empty(live.RootElement.GetProperty("checks").EnumerateObject());
        using var ready = JsonDocument.Parse(readyBody);
        var checks = ready.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.True(checks.GetProperty("pdqIndex").GetProperty("data").GetProperty("loaded").GetBoolean());
    }

    public void Dispose() => redis.Dispose();

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HubInstance hub, string path)
    {
        using var response = await hub.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task WaitForStatusAsync(HubInstance hub, string path, HttpStatusCode expected)
    {
        var last = "";
        return Eventually.UntilAsync(
            async () =>
            {
                var (status, body) = await GetAsync(hub, path);
                last = $"{(int)status} {body}";
                return status == expected;
            },
            Timeout,
            $"{path} to answer {(int)expected}",
            () => $"(last answer: {last})",
            poll: TimeSpan.FromMilliseconds(100));
    }
}
