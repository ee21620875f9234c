using System.Globalization;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The known-benign list in Redis: one small hash (administrators curate it by hand) and a version counter that every
/// change moves in the same transaction, so a replica can tell with one GET whether its copy is current.
/// </summary>
public sealed class BenignStore(IConnectionMultiplexer redis)
{
    /// <summary>Lists or updates an entry; returns true when it was not listed before.</summary>
    public async Task<bool> PutAsync(BenignEntryRecord entry)
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        var created = transaction.HashSetAsync(RedisKeys.BenignList, entry.SignalId, Encode(entry));
        _ = transaction.StringIncrementAsync(RedisKeys.BenignVersion);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return await created.ConfigureAwait(false);
    }

    /// <summary>Removes an entry; returns it as it was, or null when it was not listed.</summary>
    public async Task<BenignEntryRecord?> RemoveAsync(string signalId)
    {
        var db = redis.GetDatabase();
        var value = await db.HashGetAsync(RedisKeys.BenignList, signalId).ConfigureAwait(false);
        if (value.IsNull)
        {
            return null;
        }

        var transaction = db.CreateTransaction();
        var removed = transaction.HashDeleteAsync(RedisKeys.BenignList, signalId);
        _ = transaction.StringIncrementAsync(RedisKeys.BenignVersion);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        return await removed.ConfigureAwait(false) ? Decode(signalId, value!) : null;
    }

    /// <summary>The list's version (moves with every change; 0 before the first).</summary>
    public async Task<long> VersionAsync() =>
        (long?)await redis.GetDatabase().StringGetAsync(RedisKeys.BenignVersion).ConfigureAwait(false) ?? 0;

    /// <summary>Every entry, with the version they were read at (read in one transaction so the two agree).</summary>
    public async Task<(long Version, IReadOnlyList<BenignEntryRecord> Entries)> ReadAllAsync()
    {
        var transaction = redis.GetDatabase().CreateTransaction();
        var version = transaction.StringGetAsync(RedisKeys.BenignVersion);
        var all = transaction.HashGetAllAsync(RedisKeys.BenignList);
        await transaction.ExecuteAsync().ConfigureAwait(false);
        var entries = (await all.ConfigureAwait(false)).Select(e => Decode(e.Name!, e.Value!)).OrderBy(e => e.SignalId, StringComparer.Ordinal).ToList();
        return ((long?)await version.ConfigureAwait(false) ?? 0, entries);
    }

    private static string Encode(BenignEntryRecord entry) =>
        string.Create(CultureInfo.InvariantCulture, $"{entry.MaxDistance}|{entry.AddedAt.ToUnixTimeSeconds()}|{entry.AddedBy}|{entry.Reason}");

    private static BenignEntryRecord Decode(string signalId, string value)
    {
        var parts = value.Split('|', 4);
        return new BenignEntryRecord(
            signalId,
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[1], CultureInfo.InvariantCulture)),
            parts[2],
            parts[3]);
    }
}
