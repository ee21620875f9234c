using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Expires signals without a per-signal expiry index (which would cost ~60 bytes per signal): every
/// <see cref="SignalOptions.ExpirySweepInterval"/> one replica (holding <see cref="RedisKeys.SweepLease"/>) walks every
/// bucket, a few buckets per script call, marking overdue records EXPIRED with a feed entry and purging old tombstones.
/// The script is idempotent, so a lease lost mid-sweep or two sweeping replicas do no harm. Look-ups already hide an
/// overdue record before the sweep reaches it; the sweep is what tells subscribers.
/// </summary>
public sealed class SignalExpirySweeper(
    SignalStore store,
    IOptions<FederationOptions> options,
    TimeProvider clock,
    ILogger<SignalExpirySweeper> logger) : BackgroundService
{
    private readonly string replica = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SignalOptions signals = options.Value.Signals;

    /// <summary>Sweeps every bucket of every partition once; returns the number of records expired.</summary>
    /// <remarks>
    /// One script call at a time, each of at most <see cref="SignalOptions.SweepRecordsPerCall"/> records, paced to
    /// <see cref="SignalOptions.MaintenanceRedisShare"/> of Redis's time: Redis runs scripts one after another, so every
    /// sweep call in its queue is time that members' commands wait. With the partitions swept concurrently, 16 calls of
    /// 32 buckets each held Redis for hundreds of milliseconds once a minute (docs/quotas.md, session 12); one call at a
    /// time of 4 full buckets back to back still added up to 11 ms to every command during a round (session 16).
    /// </remarks>
    public async Task<int> SweepOnceAsync(CancellationToken ct = default)
    {
        var expired = 0;
        for (var p = 0; p < store.PartitionCount; p++)
        {
            expired += await SweepPartitionAsync(p, ct).ConfigureAwait(false);
        }

        return expired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(signals.ExpirySweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await store.TryTakeSweepLeaseAsync(replica, signals.ExpirySweepInterval * 0.9).ConfigureAwait(false))
                    {
                        var expired = await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                        logger.LogDebug("Expiry sweep expired {Count} signals.", expired);
                    }
                }
                catch (Exception e) when (StoreFailures.IsStoreError(e))
                {
                    logger.LogWarning("Expiry sweep skipped: {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<int> SweepPartitionAsync(int partition, CancellationToken ct)
    {
        var expired = 0;
        // The buckets there are now: a bucket the splitter adds meanwhile holds records moved from one walked already or
        // about to be, and any it misses are expired by the next round (look-ups hide them meanwhile).
        var buckets = await store.BucketCountAsync(partition).ConfigureAwait(false);
        var pacer = new MaintenancePacer(signals.MaintenanceRedisShare, clock);
        for (var start = 0; start < buckets;)
        {
            ct.ThrowIfCancellationRequested();
            var first = start;
            var (count, _, walked) = await pacer.RunAsync(
                () => store.SweepAsync(partition, first, Math.Min(signals.SweepBucketsPerCall, buckets - first), signals.SweepRecordsPerCall), ct).ConfigureAwait(false);
            expired += count;
            start += Math.Max(1, walked);
        }

        return expired;
    }
}
