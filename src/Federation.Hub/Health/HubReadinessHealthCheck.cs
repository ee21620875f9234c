using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Health;

/// <summary>
/// The readiness fact (<see cref="IHubReadiness"/>) as an ASP.NET Core health check tagged <see cref="Tag"/>; gRPC
/// health (<c>grpc.health.v1.Health</c>) reports every check with that tag.
/// </summary>
public sealed class HubReadinessHealthCheck(IHubReadiness readiness) : IHealthCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "hub-readiness";

    /// <summary>The tag of checks that decide readiness (the same tag the HTTP readiness probe selects).</summary>
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady(out var reason) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(reason));
}
