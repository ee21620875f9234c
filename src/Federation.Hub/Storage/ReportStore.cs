using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>The transparency report's day counters in Redis: one hash per UTC day, added to with HINCRBY by every replica.</summary>
public sealed class ReportStore(IConnectionMultiplexer redis)
{
    /// <summary>Adds counts to one day's counters (pipelined) and keeps the day for <paramref name="retention"/> from now.</summary>
    public async Task AddAsync(DateOnly day, IReadOnlyCollection<KeyValuePair<string, long>> counts, TimeSpan retention)
    {
        var key = RedisKeys.ReportDay(day);
        var batch = redis.GetDatabase().CreateBatch();
        var pending = counts.Select(c => batch.HashIncrementAsync(key, c.Key, c.Value)).Cast<Task>().ToList();
        pending.Add(batch.KeyExpireAsync(key, retention));
        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Every day's counters from <paramref name="from"/> to <paramref name="to"/> inclusive, in order.</summary>
    public async Task<IReadOnlyList<(DateOnly Day, Dictionary<string, long> Counts)>> ReadAsync(DateOnly from, DateOnly to)
    {
        var db = redis.GetDatabase();
        var days = new List<DateOnly>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            days.Add(day);
        }

        var reads = days.Select(d => db.HashGetAllAsync(RedisKeys.ReportDay(d))).ToArray();
        var result = new List<(DateOnly, Dictionary<string, long>)>(days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            result.Add((days[i], (await reads[i].ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal)));
        }

        return result;
    }
}
