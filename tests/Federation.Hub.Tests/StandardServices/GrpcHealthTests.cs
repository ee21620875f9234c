using Federation.Hub.Tests.HttpJson;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;

namespace Federation.Hub.Tests.StandardServices;

/// <summary>
/// grpc.health.v1.Health follows readiness: SERVING once the PDQ index is loaded and the store answers, NOT_SERVING
/// while a real redis-server is stopped (started and stopped by its PID), SERVING again when it is back; Watch is told
/// each change. The same outage answers HTTP/JSON calls with 503 and a retry delay.
/// </summary>
public sealed class GrpcHealthTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly RestartableRedis redis = new();

    [Fact]
    public async Task Check_and_watch_follow_the_store_going_away_and_coming_back()
    {
        await redis.StartAsync();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var health = new global::Grpc.Health.V1.Health.HealthClient(hub.Invoker(token: null));
        using var bound = new CancellationTokenSource(Bound);
        using var watch = health.Watch(new HealthCheckRequest { Service = "" }, cancellationToken: bound.Token);
        var seen = new List<HealthCheckResponse.Types.ServingStatus>();

        await NextStatusAsync(watch, seen, HealthCheckResponse.Types.ServingStatus.Serving, bound.Token);
        var up = await health.CheckAsync(new HealthCheckRequest { Service = "federation.v1.SignalService" });
        redis.Stop();
        await NextStatusAsync(watch, seen, HealthCheckResponse.Types.ServingStatus.NotServing, bound.Token);
        var down = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        await redis.StartAsync();
        await NextStatusAsync(watch, seen, HealthCheckResponse.Types.ServingStatus.Serving, bound.Token);
        var back = await health.CheckAsync(new HealthCheckRequest { Service = "" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, up.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, down.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, back.Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task An_http_json_call_while_the_store_is_down_is_503_with_a_retry_delay()
    {
        await redis.StartAsync();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var admin = await hub.AdminClientAsync();
        var member = await admin.CreateMemberAsync(new Contracts.V1.CreateMemberRequest
        {
            MemberId = "json-outage",
            DisplayName = "JSON outage",
            Scopes = { "signals.submit", "signals.read" },
        });
        var api = new JsonApiClient(hub.Http, await hub.GetTokenAsync("json-outage", member.ClientSecret, "signals.submit signals.read"));

        redis.Stop();
        var refused = await api.PostAsync("/v1/signals:lookup",
            """{"queries": [{"type": "SIGNAL_TYPE_SHA256", "value": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}""");

        Assert.Equal(503, refused.Status);
        Assert.Equal(14, refused.Code);
        Assert.Contains("store (Redis) is unavailable", refused.Message, StringComparison.Ordinal);
        Assert.Equal("0.500s", Assert.Single(refused.Details("RetryInfo")).GetProperty("retryDelay").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Equal("500", refused.RetryAfterMs);
    }

    public void Dispose() => redis.Dispose();

    // Watch sends the current status first and then each change; reads until the wanted one (bounded).
    private static async Task NextStatusAsync(
        AsyncServerStreamingCall<HealthCheckResponse> watch, List<HealthCheckResponse.Types.ServingStatus> seen, HealthCheckResponse.Types.ServingStatus wanted, CancellationToken ct)
    {
        for (var i = 0; i < 1000; i++)
        {
            bool more;
            try
            {
                more = await watch.ResponseStream.MoveNext(ct);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                throw new TimeoutException($"Watch did not report {wanted} within the bound; seen {string.Join(", ", seen)}", e);
            }

            Assert.True(more, $"Watch ended; seen {string.Join(", ", seen)}");
            seen.Add(watch.ResponseStream.Current.Status);
            if (watch.ResponseStream.Current.Status == wanted)
            {
                return;
            }
        }

        Assert.Fail($"Watch never reported {wanted}; seen {string.Join(", ", seen)}");
    }
}
