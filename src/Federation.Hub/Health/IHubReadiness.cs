namespace Federation.Hub.Health;

/// <summary>
/// Whether this replica can serve calls now: its store (Redis) is reachable and its PDQ index is loaded. One source
/// of that fact for every interface that reports it (the readiness health check behind gRPC health; HTTP probes).
/// </summary>
public interface IHubReadiness
{
    /// <summary>True when ready; otherwise <paramref name="reason"/> says what is missing.</summary>
    bool IsReady(out string reason);
}
