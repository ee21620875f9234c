using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Pdq;

/// <summary>
/// Ready once this replica's PDQ index has finished its start-up scan: until then a PDQ near-match look-up is refused
/// (UNAVAILABLE), so a load balancer should send this replica no traffic yet.
/// </summary>
public sealed class PdqIndexReadinessCheck(PdqMatchIndex pdq) : IHealthCheck
{
    public const string Name = "pdqIndex";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["loaded"] = pdq.IsLoaded, ["scanned"] = pdq.Scanned, ["hashes"] = pdq.Count };
        return Task.FromResult(pdq.IsLoaded
            ? HealthCheckResult.Healthy("PDQ index loaded.", data)
            : HealthCheckResult.Unhealthy("PDQ index loading.", data: data));
    }
}
