using Federation.Hub.Storage;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// A real Redis for one test class: a private redis-server on a free loopback port (stopped by
/// PID on dispose), or the server named by FEDERATION_TEST_REDIS, flushed first, or a <see cref="RedisCluster"/>.
/// </summary>
public sealed class TestRedis : IDisposable
{
    private readonly LocalRedisServer? server;
    private readonly string? dataDirectory;
    private readonly RedisCluster? cluster;

    public TestRedis()
    {
        var external = Environment.GetEnvironmentVariable("FEDERATION_TEST_REDIS");
        if (!string.IsNullOrEmpty(external))
        {
            ConnectionString = external + ",allowAdmin=true";
            using var admin = ConnectionMultiplexer.Connect(ConnectionString);
            admin.GetServers()[0].FlushDatabase();
            return;
        }

        dataDirectory = Directory.CreateTempSubdirectory("federation-test-redis-").FullName;
        server = LocalRedisServer.Start(dataDirectory, persistent: false);
        ConnectionString = server.ConnectionString + ",allowAdmin=true";
    }

    // A class fixture needs one public constructor (xunit v3), so a cluster store is made by OnCluster.
    private TestRedis(RedisCluster cluster)
    {
        this.cluster = cluster;
        ConnectionString = cluster.AdminConnectionString;
    }

    /// <summary>A Redis Cluster as the store (stopped with this).</summary>
    public static TestRedis OnCluster(RedisCluster cluster) => new(cluster);

    /// <summary>The cluster, when the store is one.</summary>
    public RedisCluster? Cluster => cluster;

    /// <summary>Connection string (admin commands allowed, for inspection).</summary>
    public string ConnectionString { get; }

    public void Dispose()
    {
        server?.Dispose();
        cluster?.Dispose();
        if (dataDirectory is not null)
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
