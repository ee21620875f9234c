using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Opens the feed tail's reader of every partition stream (<see cref="RedisKeys.Feed"/>): on a single Redis one
/// blocking <c>XREAD</c> over all partitions on a connection of its own; on Redis Cluster, where a multi-key command
/// must stay within one slot, bell-driven non-blocking reads per slot on the shared multiplexer (<see cref="FeedBell"/>).
/// </summary>
/// <remarks>
/// The Redis side of the feed tail lives here so that Feed/ never names the Redis client: FeedTail decides what to do
/// with entries, this store decides how they are read. The connection strategy is in <see cref="ConnectAsync"/> only.
/// </remarks>
public sealed class FeedStreamReader(IConnectionMultiplexer redis, RedisEndpoint endpoint)
{
    /// <summary>How long one read waits when nothing new arrives (on Redis Cluster: the sweep interval).</summary>
    public static readonly TimeSpan BlockTime = TimeSpan.FromSeconds(2);

    private readonly FeedBell bell = new(redis);

    /// <summary>A reader of partitions 0..<paramref name="partitions"/>-1, with the hub's outage policy; dispose it to close it.</summary>
    public async Task<FeedTailReader> ConnectAsync(int partitions)
    {
        if (bell.IsCluster)
        {
            return await FeedBellReader.StartAsync(redis, partitions).ConfigureAwait(false);
        }

        // StackExchange.Redis deliberately offers no blocking XREAD on its multiplexer (a blocked socket would stall
        // every other command), so the blocking reader owns a multiplexer used for nothing else (StoreConnection's
        // policy). A blocked XREAD holds the socket for BlockTime; leave generous room before calling it a timeout.
        var connection = await StoreConnection.ConnectAsync(
            endpoint.ConnectionString, "federation-feed-tail", BlockTime + TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return new FeedGroupReader(connection, Enumerable.Range(0, partitions).ToArray(), BlockTime, ownsConnection: true);
    }
}
