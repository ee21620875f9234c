using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Health;

/// <summary>
/// Receives the readiness report the health check publisher computes every second and wakes the gRPC health Watch
/// streams waiting for it (<see cref="HubHealthService"/>).
/// </summary>
public sealed class ReadinessPublisher : IHealthCheckPublisher
{
    private TaskCompletionSource<HealthCheckResponse.Types.ServingStatus> next = NewReport();

    /// <summary>Completes with the status of the next report (the ready-tagged checks only).</summary>
    public Task<HealthCheckResponse.Types.ServingStatus> NextAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref next).Task.WaitAsync(cancellationToken);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        var status = StatusOf(report);
        Interlocked.Exchange(ref next, NewReport()).TrySetResult(status);
        return Task.CompletedTask;
    }

    /// <summary>SERVING when every ready-tagged check in <paramref name="report"/> is healthy or degraded.</summary>
    public static HealthCheckResponse.Types.ServingStatus StatusOf(HealthReport report) =>
        report.Entries.Values.Where(e => e.Tags.Contains(HealthTags.Ready)).All(e => e.Status != HealthStatus.Unhealthy)
            ? HealthCheckResponse.Types.ServingStatus.Serving
            : HealthCheckResponse.Types.ServingStatus.NotServing;

    private static TaskCompletionSource<HealthCheckResponse.Types.ServingStatus> NewReport() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
