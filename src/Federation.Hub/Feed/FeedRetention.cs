using Federation.Core.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Feed;

/// <summary>
/// Trims every partition's feed by age (<c>XTRIM MINID</c>, entries older than <see cref="FeedOptions.Retention"/>),
/// in addition to the writer's <c>MAXLEN ~</c> on every append, through <see cref="FeedStreamStore"/>. Every replica runs it;
/// trimming is idempotent.
/// </summary>
public sealed class FeedRetention(FeedStreamStore streams, IOptions<FederationOptions> options, TimeProvider clock, ILogger<FeedRetention> logger) : BackgroundService
{
    /// <summary>How often to trim: a tenth of the retention, between one second and one minute.</summary>
    public static TimeSpan IntervalFor(TimeSpan retention) =>
        TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    /// <summary>Trims every partition once; returns the number of entries removed.</summary>
    public async Task<long> TrimOnceAsync()
    {
        var feed = options.Value.Feed;
        var cutoff = clock.GetUtcNow() - feed.Retention;
        var minId = FeedPosition.AtMilliseconds((ulong)Math.Max(0, cutoff.ToUnixTimeMilliseconds())).ToString();
        var trims = new Task<long>[options.Value.Signals.Partitions];
        for (var p = 0; p < trims.Length; p++)
        {
            // Exact (the store trims without "~"): retention is a promise to clients, and the cursor check relies on it.
            trims[p] = streams.TrimBeforeAsync(p, minId);
        }

        return (await Task.WhenAll(trims).ConfigureAwait(false)).Sum();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IntervalFor(options.Value.Feed.Retention), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var removed = await TrimOnceAsync().ConfigureAwait(false);
                if (removed > 0)
                {
                    logger.LogDebug("Feed retention removed {Count} entries", removed);
                }
            }
            catch (Exception e) when (StoreFailures.IsStoreError(e))
            {
                logger.LogWarning("Feed retention trim failed ({Message}); retrying next round", e.Message);
            }
        }
    }
}
