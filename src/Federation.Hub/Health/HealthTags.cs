namespace Federation.Hub.Health;

/// <summary>
/// Tags that sort health checks into probes. Liveness runs only checks tagged <see cref="Live"/> (today none: a
/// process that answers HTTP is alive, whatever Redis does), so a Redis outage never makes an orchestrator restart
/// every replica. Readiness runs the checks tagged <see cref="Ready"/>: this replica can serve calls.
/// </summary>
public static class HealthTags
{
    /// <summary>Checks whose failure means the process must be restarted.</summary>
    public const string Live = "live";

    /// <summary>Checks whose failure means the replica should receive no traffic for now (store, PDQ index).</summary>
    public const string Ready = "ready";
}
