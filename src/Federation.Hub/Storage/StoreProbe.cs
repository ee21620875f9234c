using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Asks the store whether it serves commands right now (one PING), for readiness. A Redis that is down, unreachable
/// or still loading its data set (it answers LOADING) is not serving; the connection's fail-fast policy
/// (<see cref="StoreConnection"/>) makes the answer immediate while disconnected.
/// </summary>
public sealed class StoreProbe(IConnectionMultiplexer redis)
{
    /// <summary>The round trip of one PING; throws what the client throws when the store does not serve.</summary>
    public Task<TimeSpan> PingAsync() => redis.GetDatabase().PingAsync();

    /// <summary>True while the client holds at least one connection to the store.</summary>
    public bool IsConnected => redis.IsConnected;
}
