using System.Globalization;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Quarantine and overturn of signal records in Redis (docs/governance.md): the governance script changes a record and
/// appends its feed entry in one call; the per-partition registry lists what is quarantined; hourly match counters feed
/// the match-rate policy. The opinion policy runs inside <see cref="SignalStore.SetOpinionAsync"/>.
/// </summary>
public sealed class GovernanceStore(IConnectionMultiplexer redis, SignalStore signals, IOptions<FederationOptions> options, TimeProvider clock)
{
    private static readonly string GovernScript = SignalStore.WithRecord("signal_govern.lua");
    private static readonly string MatchRateScript = LuaScripts.Load("signal_match_rate.lua");
    private readonly FeedBell bell = new(redis);
    private readonly int feedMaxLength = options.Value.Feed.MaxEntriesPerPartition;

    /// <summary>Quarantines an active record (<paramref name="trigger"/> 2 match rate: not one administrators released; 3 by hand).</summary>
    public Task<SignalChange> QuarantineAsync(int partition, byte[] storageKey, int trigger, string reason) => GovernAsync(1, partition, storageKey, reason, trigger);

    /// <summary>Releases a quarantined record: active again, and the opinion policy leaves it be.</summary>
    public Task<SignalChange> ReleaseAsync(int partition, byte[] storageKey, string reason) => GovernAsync(2, partition, storageKey, reason, 0);

    /// <summary>Overturns an active record (quarantined or not): an OVERTURNED tombstone; members that acted on it are owed notices.</summary>
    public Task<SignalChange> OverturnAsync(int partition, byte[] storageKey, string reason) => GovernAsync(3, partition, storageKey, reason, 0);

    /// <summary>Every quarantined record: partition, storage key, trigger, since and reason, oldest first.</summary>
    public async Task<IReadOnlyList<QuarantineEntry>> ListQuarantinedAsync()
    {
        var db = redis.GetDatabase();
        var pending = Enumerable.Range(0, signals.PartitionCount).Select(p => db.HashGetAllAsync(RedisKeys.QuarantineRegistry(p))).ToArray();
        var entries = new List<QuarantineEntry>();
        for (var p = 0; p < pending.Length; p++)
        {
            foreach (var entry in await pending[p].ConfigureAwait(false))
            {
                var parts = entry.Value.ToString().Split('|', 3);
                entries.Add(new QuarantineEntry(
                    p,
                    (byte[])entry.Name!,
                    int.Parse(parts[0], CultureInfo.InvariantCulture),
                    DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[1], CultureInfo.InvariantCulture)),
                    parts.Length > 2 ? parts[2] : ""));
            }
        }

        return entries.OrderBy(e => e.Since).ToList();
    }

    /// <summary>Every record with at least <paramref name="minDisputes"/> DISPUTED + FALSE_POSITIVE opinions: partition and storage key.</summary>
    public async Task<IReadOnlyList<(int Partition, byte[] StorageKey, int Disputes)>> ListDisputedAsync(int minDisputes)
    {
        var db = redis.GetDatabase();
        var pending = Enumerable.Range(0, signals.PartitionCount).Select(p => db.HashGetAllAsync(RedisKeys.DisputedRegistry(p))).ToArray();
        var found = new List<(int, byte[], int)>();
        for (var p = 0; p < pending.Length; p++)
        {
            foreach (var entry in await pending[p].ConfigureAwait(false))
            {
                if ((int)entry.Value >= minDisputes)
                {
                    found.Add((p, (byte[])entry.Name!, (int)entry.Value));
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Adds one replica's match counts of one partition to this hour's counters; returns the storage keys whose count
    /// reached <paramref name="limit"/> with this call.
    /// </summary>
    public async Task<byte[][]> AddMatchesAsync(int partition, IReadOnlyCollection<KeyValuePair<byte[], int>> counts, int limit)
    {
        var hour = clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var args = new RedisValue[2 + (2 * counts.Count)];
        args[0] = limit;
        args[1] = 2 * 3600;
        var i = 2;
        foreach (var (key, count) in counts)
        {
            args[i++] = key;
            args[i++] = count;
        }

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(MatchRateScript, [RedisKeys.MatchCounter(partition, hour)], args).ConfigureAwait(false))!;
        return result.Select(r => (byte[])r!).ToArray();
    }

    private async Task<SignalChange> GovernAsync(int op, int partition, byte[] storageKey, string reason, int trigger)
    {
        var result = (RedisResult[])(await signals.EvaluateOnRecordAsync(
            GovernScript,
            partition,
            storageKey,
            [
                RedisKeys.Feed(partition),
                default,
                RedisKeys.QuarantineRegistry(partition),
                RedisKeys.SignalStats(partition),
                RedisKeys.PendingAppeals(partition),
                RedisKeys.SignalActions(partition, storageKey),
            ],
            [op, storageKey, clock.GetUtcNow().ToUnixTimeSeconds(), feedMaxLength, reason, trigger]).ConfigureAwait(false))!;
        bell.Ring(partition);
        var code = (int)result[0] switch
        {
            1 => SignalChangeCode.Changed,
            -1 => SignalChangeCode.NotFound,
            -2 => SignalChangeCode.NotActive,
            _ => SignalChangeCode.Unchanged,
        };
        return new SignalChange(code, await signals.DecodeResultAsync(partition, storageKey, result).ConfigureAwait(false), ContributedByCaller: false);
    }
}

/// <summary>One quarantined record as the registry lists it.</summary>
/// <param name="Partition">The record's partition.</param>
/// <param name="StorageKey">The record's storage key.</param>
/// <param name="Trigger">1 disputes, 2 match rate, 3 administrator (the proto's QuarantineTrigger values).</param>
/// <param name="Since">When it was quarantined.</param>
/// <param name="Reason">The administrator's reason; empty for the policy's quarantines.</param>
public sealed record QuarantineEntry(int Partition, byte[] StorageKey, int Trigger, DateTimeOffset Since, string Reason);
