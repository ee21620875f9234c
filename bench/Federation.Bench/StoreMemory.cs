using System.Globalization;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>Redis memory as INFO reports it (<c>used_memory</c>), the basis of the bytes-per-signal figures.</summary>
internal static class StoreMemory
{
    public static async Task<long> UsedMemoryAsync(IConnectionMultiplexer redis)
    {
        var server = redis.GetServers()[0];
        var info = await server.InfoRawAsync("memory") ?? "";
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("used_memory:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan("used_memory:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("INFO memory has no used_memory");
    }

    public static async Task<long> FeedEntriesAsync(IConnectionMultiplexer redis, int partitions)
    {
        var db = redis.GetDatabase();
        long total = 0;
        for (var p = 0; p < partitions; p++)
        {
            total += await db.StreamLengthAsync(Federation.Hub.Storage.RedisKeys.Feed(p));
        }

        return total;
    }
}
