using System.Globalization;
using StackExchange.Redis;

namespace Federation.Bench;

/// <summary>Redis memory as INFO reports it (<c>used_memory</c>), the basis of the bytes-per-signal figures.</summary>
internal static class StoreMemory
{
    /// <summary>
    /// <c>used_memory</c> minus client buffers (<c>mem_clients_normal</c>): a pipelined fill leaves large query buffers
    /// behind for a moment, and they are not what a stored signal costs.
    /// </summary>
    public static async Task<long> UsedMemoryAsync(IConnectionMultiplexer redis)
    {
        await Task.Delay(200);
        var server = redis.GetServers()[0];
        var info = await server.InfoRawAsync("memory") ?? "";
        return Field(info, "used_memory") - Field(info, "mem_clients_normal");
    }

    private static long Field(string info, string name)
    {
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(name.Length + 1).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"INFO memory has no {name}");
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
