using Federation.Hub.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Health;

/// <summary>Ready while the store (Redis) answers a PING; while it does not, every call would fail with UNAVAILABLE.</summary>
public sealed class StoreReadinessCheck(StoreProbe store) : IHealthCheck
{
    public const string Name = "store";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var roundTrip = await store.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("Redis answers.", new Dictionary<string, object> { ["pingMs"] = Math.Round(roundTrip.TotalMilliseconds, 2) });
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e) || e is OperationCanceledException)
        {
            // The exception's message is not passed on: health answers are unauthenticated, and the client's messages can
            // name endpoints. The log has the details.
            return HealthCheckResult.Unhealthy("Redis is unavailable.");
        }
    }
}
