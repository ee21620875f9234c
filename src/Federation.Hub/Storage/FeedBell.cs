using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// On Redis Cluster, tells every replica's feed tail that a partition stream has new entries: a sharded pub/sub
/// message (<c>SPUBLISH fed:{pNN}:bell</c>, routed to the master of the partition's slot) after each script that appends to
/// the feed. On a single Redis it does nothing: there the tail blocks in one <c>XREAD</c> over every partition instead.
/// </summary>
/// <remarks>
/// Why a bell: a multi-key <c>XREAD</c> must stay within one hash slot, and a blocked one holds its socket, so following
/// 16 partitions with blocking reads took 16 dedicated multiplexers, each connected to every node (docs/decisions.md,
/// "The cluster feed tail follows a bell"). With the bell the tail reads only what rang, with short non-blocking reads on
/// the shared multiplexer. The bell is a hint, sent fire-and-forget after the write: a lost one (a hub that died between
/// the script and the publish, a subscription re-established after failover) delays those entries until the tail's
/// periodic sweep of every partition, never loses them, because the stream is the record and the tail reads it by id.
/// </remarks>
public sealed class FeedBell(IConnectionMultiplexer redis)
{
    private bool? cluster;

    /// <summary>Whether the store is a Redis Cluster (bells ring only there).</summary>
    public bool IsCluster => cluster ??= redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);

    /// <summary>The sharded channel of one partition's bell (same hash tag as its stream, so same slot and master).</summary>
    public static RedisChannel Channel(int partition) => RedisChannel.Sharded($"fed:{RedisKeys.PartitionTag(partition)}:bell");

    /// <summary>Rings <paramref name="partition"/>'s bell after a write appended to its stream (cluster only; never waits).</summary>
    public void Ring(int partition)
    {
        if (IsCluster)
        {
            redis.GetSubscriber().Publish(Channel(partition), partition, CommandFlags.FireAndForget);
        }
    }
}
