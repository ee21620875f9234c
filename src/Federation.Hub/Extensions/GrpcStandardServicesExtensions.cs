using Federation.Hub.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Extensions;

/// <summary>
/// The standard gRPC services tools expect: server reflection (grpcurl, Postman, grpcui list and call services from
/// the hub itself) and <c>grpc.health.v1.Health</c> (Check and Watch), which reports readiness: NOT_SERVING while the
/// store is unreachable or the PDQ index loads, SERVING otherwise — for the whole server ("") and for each service.
/// </summary>
public static class GrpcStandardServicesExtensions
{
    /// <summary>How often readiness is re-evaluated and pushed to Watch streams.</summary>
    public static readonly TimeSpan HealthPeriod = TimeSpan.FromSeconds(1);

    public static WebApplicationBuilder AddFederationGrpcStandardServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpcReflection();

        // The same readiness checks as /health/ready (HealthExtensions: the store answers a PING, the PDQ index is loaded).
        builder.Services.AddSingleton<ReadinessPublisher>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<ReadinessPublisher>());
        // The publisher behind Watch: every second from the start (the defaults, 5 s delay and 30 s period, would tell
        // a watcher about an outage half a minute late).
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = HealthPeriod;
        });
        return builder;
    }

    public static WebApplication MapFederationGrpcStandardServices(this WebApplication app)
    {
        app.MapGrpcReflectionService();
        app.MapGrpcService<HubHealthService>();
        return app;
    }
}
