using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Adds buckets as partitions grow, so buckets stay small listpacks at any signal count (linear hashing,
/// docs/signals.md "Buckets that follow the data"). Every <see cref="SignalOptions.SplitInterval"/> the replica holding
/// <see cref="RedisKeys.SplitLease"/> estimates each partition's average fill and, while it is above
/// <see cref="SignalOptions.SplitFieldsPerBucket"/>, splits the bucket at the split pointer: one script call per bucket
/// (a few hundred fields, well under a millisecond), so submissions and look-ups never wait for a pause, and none is lost:
/// each script picks its record's bucket from the layout it reads, atomically with the write. The calls are paced to
/// <see cref="SignalOptions.MaintenanceRedisShare"/> of Redis's time: back to back, a partition catching up after a burst
/// kept every other command waiting behind a split most of the time (docs/quotas.md, session 16).
/// </summary>
public sealed class BucketSplitter(
    BucketSplitStore store,
    SignalStore signals,
    IOptions<FederationOptions> options,
    TimeProvider clock,
    ILogger<BucketSplitter> logger) : BackgroundService
{
    /// <summary>Most splits per partition per round: bounds a round (a partition far behind catches up over a few).</summary>
    public const int MaxSplitsPerRound = 4096;

    private readonly string replica = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SignalOptions options = options.Value.Signals;
    private readonly Random random = new();

    /// <summary>Splits every partition whose buckets are fuller than the threshold; returns the buckets added.</summary>
    public async Task<int> SplitDueAsync(CancellationToken ct = default)
    {
        var added = 0;
        for (var p = 0; p < signals.PartitionCount; p++)
        {
            ct.ThrowIfCancellationRequested();
            added += await SplitPartitionAsync(p, ct).ConfigureAwait(false);
        }

        return added;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.SplitFieldsPerBucket == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.SplitInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await store.TryTakeLeaseAsync(replica, options.SplitInterval * 5).ConfigureAwait(false))
                    {
                        var added = await SplitDueAsync(stoppingToken).ConfigureAwait(false);
                        if (added > 0)
                        {
                            logger.LogDebug("Bucket splitter added {Count} buckets.", added);
                        }
                    }
                }
                catch (Exception e) when (StoreFailures.IsStoreError(e))
                {
                    logger.LogWarning("Bucket splitter skipped a round: {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<int> SplitPartitionAsync(int partition, CancellationToken ct)
    {
        var (n, s, records) = await store.EstimateAsync(partition, random).ConfigureAwait(false);
        var added = 0;
        var pacer = new MaintenancePacer(options.MaintenanceRedisShare, clock);
        while (added < MaxSplitsPerRound && n < BucketLayout.MaxModulus && records > (long)options.SplitFieldsPerBucket * (n + s))
        {
            ct.ThrowIfCancellationRequested();
            var (after, pointer, moved) = await pacer.RunAsync(() => store.SplitAsync(partition, n, s), ct).ConfigureAwait(false);
            if (moved < 0)
            {
                // Another splitter moved on (a lease handed over mid-round): take its layout next round.
                break;
            }

            (n, s) = (after, pointer);
            added++;
        }

        return added;
    }
}
