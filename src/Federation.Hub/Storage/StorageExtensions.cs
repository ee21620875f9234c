using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>Wiring of the Redis system of record (here, not in Extensions/, so that only Storage/ names the Redis client).</summary>
public static class StorageExtensions
{
    /// <summary>
    /// One <see cref="IConnectionMultiplexer"/> for the process, to the configured Redis or, with
    /// none configured, to a private <c>redis-server</c> the hub starts and stops.
    /// </summary>
    public static WebApplicationBuilder AddFederationRedis(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FederationOptions>>().Value;
            return new RedisEndpoint(options, sp.GetRequiredService<ILogger<RedisEndpoint>>());
        });
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var endpoint = sp.GetRequiredService<RedisEndpoint>();
            // Fails fast while Redis is unreachable and reconnects by itself (StoreConnection says how).
            var multiplexer = StoreConnection.Connect(endpoint.ConnectionString, "federation-hub");
            if (!multiplexer.IsConnected)
            {
                throw new InvalidOperationException($"Cannot connect to Redis at {endpoint.Describe()}: {multiplexer.GetStatus()}");
            }

            return multiplexer;
        });
        // Its own connection, opened only when replica acknowledgements are configured (AcknowledgedWrites says why).
        builder.Services.AddSingleton<AcknowledgedWrites>();
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
