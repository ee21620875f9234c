using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Cluster;

/// <summary>
/// A real 3-master Redis Cluster (no replicas) and one real hub on it, shared by the tests of one class: the cluster
/// starts once for the suite. Every helper written for <see cref="HubFixture"/> (members, tokens, the feed read from
/// Redis) works on it unchanged.
/// </summary>
public sealed class ClusterHubFixture : HubFixture
{
    protected override async Task<TestRedis> StartRedisAsync() => TestRedis.OnCluster(await RedisCluster.StartAsync(masters: 3));
}
