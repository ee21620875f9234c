using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Opens the feed tail's blocking readers of the partition streams (<see cref="RedisKeys.Feed"/>): decides which
/// partitions one <c>XREAD</c> may cover together (<see cref="SlotGroups"/>) and gives each group a
/// <see cref="FeedGroupReader"/> on a connection of its own.
/// </summary>
/// <remarks>
/// The Redis side of the feed tail lives here so that Feed/ never names the Redis client: FeedTail decides what to do
/// with entries, this store decides how they are read. The connection strategy (one dedicated multiplexer per slot
/// group, because a blocked XREAD holds its socket) is in <see cref="ConnectAsync"/> only.
/// </remarks>
public sealed class FeedStreamReader(IConnectionMultiplexer redis, RedisEndpoint endpoint)
{
    /// <summary>How long one <c>XREAD</c> blocks on the server when nothing new arrives.</summary>
    public static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The partitions that one <c>XREAD</c> may read together: all of them on a single Redis, one group per hash slot
    /// on Redis Cluster (a multi-key command must stay within one slot).
    /// </summary>
    public IReadOnlyList<int[]> SlotGroups(int partitions)
    {
        var cluster = redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        if (!cluster)
        {
            return [Enumerable.Range(0, partitions).ToArray()];
        }

        return Enumerable.Range(0, partitions)
            .GroupBy(p => redis.HashSlot(RedisKeys.Feed(p)))
            .Select(g => g.ToArray())
            .ToList();
    }

    /// <summary>
    /// A reader of <paramref name="group"/> (partitions from one <see cref="SlotGroups"/> entry) on its own connection,
    /// with the hub's outage policy (<see cref="StoreConnection"/>); dispose it to close the connection.
    /// </summary>
    public async Task<FeedGroupReader> ConnectAsync(int[] group)
    {
        // StackExchange.Redis deliberately offers no blocking XREAD on its multiplexer (a blocked socket would stall
        // every other command), so each reader owns a multiplexer used for nothing else.
        // A blocked XREAD holds the socket for BlockTime; leave generous room before calling it a timeout.
        var connection = await StoreConnection.ConnectAsync(
            endpoint.ConnectionString, "federation-feed-tail", BlockTime + TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new FeedGroupReader(connection, group);
    }
}
