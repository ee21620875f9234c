using Federation.Hub.Health;
using Federation.Hub.Pdq;
using Federation.Hub.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Extensions;

/// <summary>
/// Liveness and readiness, separated (docs/operations.md): liveness never depends on Redis, so a Redis outage does not
/// make an orchestrator restart every replica; readiness does (store answers, PDQ index loaded).
/// </summary>
public static class HealthExtensions
{
    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static WebApplicationBuilder AddFederationHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StoreProbe>();
        builder.Services.AddHealthChecks()
            .AddCheck<StoreReadinessCheck>(StoreReadinessCheck.Name, HealthStatus.Unhealthy, [HealthTags.Ready], CheckTimeout)
            .AddCheck<PdqIndexReadinessCheck>(PdqIndexReadinessCheck.Name, HealthStatus.Unhealthy, [HealthTags.Ready], CheckTimeout);
        return builder;
    }

    public static WebApplication MapFederationHealth(this WebApplication app)
    {
        var live = Probe(HealthTags.Live);
        var ready = Probe(HealthTags.Ready);
        app.MapHealthChecks("/health/live", live);
        app.MapHealthChecks("/health/ready", ready);
        // The older names: /healthz is liveness (so a probe still pointed at it no longer restarts pods during a Redis
        // outage), /healthz/ready is readiness.
        app.MapHealthChecks("/healthz", live);
        app.MapHealthChecks("/healthz/ready", ready);
        return app;
    }

    private static HealthCheckOptions Probe(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = HealthResponseWriter.WriteAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };
}
