using System.Collections.Concurrent;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Governance;

/// <summary>
/// The quarantine policy's match-rate rule (<see cref="QuarantineOptions.MaxMatchesPerHour"/>): look-ups count the
/// records they return here, and every <see cref="FlushInterval"/> the replica adds its counts to the partition's
/// hourly counters in Redis (one script call per partition with matches); a record whose coalition-wide count reaches
/// the limit is quarantined (trigger MATCH_RATE) unless administrators released it before. Off (nothing counted) at 0.
/// </summary>
public sealed class MatchRateMonitor(GovernanceStore store, AuditLog audit, IOptions<FederationOptions> options, ILogger<MatchRateMonitor> logger) : BackgroundService
{
    /// <summary>How often a replica adds its counts to Redis.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);

    private readonly int limit = options.Value.Governance.Quarantine.MaxMatchesPerHour;
    private ConcurrentDictionary<(int Partition, string Key), int> counts = new();

    /// <summary>Whether the rule is on.</summary>
    public bool Enabled => limit > 0;

    /// <summary>Counts one returned match of the record with <paramref name="storageKey"/>.</summary>
    public void Count(int partition, byte[] storageKey)
    {
        if (Enabled)
        {
            counts.AddOrUpdate((partition, Convert.ToBase64String(storageKey)), 1, (_, n) => n + 1);
        }
    }

    /// <summary>Adds the counts so far to Redis and quarantines what crossed the limit; returns the records quarantined.</summary>
    public async Task<int> FlushAsync()
    {
        var taken = Interlocked.Exchange(ref counts, new ConcurrentDictionary<(int Partition, string Key), int>());
        var quarantined = 0;
        foreach (var partition in taken.GroupBy(c => c.Key.Partition))
        {
            var batch = partition.Select(c => KeyValuePair.Create(Convert.FromBase64String(c.Key.Key), c.Value)).ToArray();
            foreach (var key in await store.AddMatchesAsync(partition.Key, batch, limit).ConfigureAwait(false))
            {
                var change = await store.QuarantineAsync(partition.Key, key, (int)QuarantineTrigger.MatchRate, "").ConfigureAwait(false);
                if (change is { Code: SignalChangeCode.Changed, Record: { } record })
                {
                    quarantined++;
                    await audit.AppendAsync("policy", "signal.quarantine", SignalRecordId.Of(record.Signal.Id, record.SharingGroup), $"trigger=match_rate;limit_per_hour={limit}").ConfigureAwait(false);
                }
            }
        }

        return quarantined;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(FlushInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (StoreFailures.IsStoreError(e))
            {
                // Counts of this round are dropped: the rule is a rate, and the next rounds count again.
                logger.LogWarning("Match-rate counts not added ({Message})", e.Message);
            }
        }
    }
}
