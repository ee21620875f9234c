using Federation.Hub.Pdq;
using StackExchange.Redis;

namespace Federation.Hub.Health;

/// <summary>
/// Ready = the multiplexer holds a live connection to the store and the PDQ index finished loading. Both are in-memory
/// facts (no round trip), so the readiness check can run every second for gRPC health Watch at no cost; the
/// multiplexer notices a lost connection at once (socket closed) or within its keep-alive.
/// </summary>
public sealed class HubReadiness(IConnectionMultiplexer redis, PdqMatchIndex pdq) : IHubReadiness
{
    public bool IsReady(out string reason)
    {
        if (!redis.IsConnected)
        {
            reason = "The store (Redis) is unreachable.";
            return false;
        }

        if (!pdq.IsLoaded)
        {
            reason = $"The PDQ index is loading ({pdq.Scanned:N0} records scanned).";
            return false;
        }

        reason = "";
        return true;
    }
}
