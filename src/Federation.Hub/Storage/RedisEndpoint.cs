using Federation.Hub.Options;

namespace Federation.Hub.Storage;

/// <summary>Where Redis is: the configured server, or the private local one this hub owns.</summary>
public sealed class RedisEndpoint : IDisposable
{
    private readonly LocalRedisServer? local;

    public RedisEndpoint(FederationOptions options, ILogger<RedisEndpoint> logger)
    {
        if (options.Redis.Length > 0)
        {
            ConnectionString = options.Redis;
            return;
        }

        local = LocalRedisServer.Start(Path.Combine(options.DataPath, "redis"), persistent: true);
        ConnectionString = local.ConnectionString;
        logger.LogWarning(
            "No Federation:Redis configured: started a private redis-server (pid {Pid}) on 127.0.0.1:{Port} with its data in {Dir}. Configure Federation:Redis for production.",
            local.ProcessId, local.Port, Path.GetFullPath(Path.Combine(options.DataPath, "redis")));
    }

    /// <summary>StackExchange.Redis connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>A description for errors that contains no password.</summary>
    public string Describe() => local is null ? "the configured Federation:Redis endpoint" : $"127.0.0.1:{local.Port}";

    public void Dispose() => local?.Dispose();
}
