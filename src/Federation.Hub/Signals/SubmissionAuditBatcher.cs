using System.Collections.Concurrent;
using Federation.Hub.Domain;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Audits submission batches without making the hash-chained audit log a per-batch bottleneck: batches are summed per
/// member in memory and appended as one <c>signals.submit</c> entry per member per
/// <see cref="SignalOptions.SubmitAuditInterval"/> (counts only, never values), and once more on shutdown. A replica
/// that dies loses at most one interval of audit counts, never signals.
/// </summary>
public sealed class SubmissionAuditBatcher(AuditLog audit, IOptions<FederationOptions> options, TimeProvider clock, ILogger<SubmissionAuditBatcher> logger)
    : BackgroundService
{
    private ConcurrentDictionary<string, Totals> pending = new(StringComparer.Ordinal);

    /// <summary>Counts one batch of <paramref name="memberId"/>.</summary>
    public void Record(string memberId, SubmissionCounts summary)
    {
        var totals = pending.GetOrAdd(memberId, static _ => new Totals());
        lock (totals)
        {
            totals.Batches++;
            totals.Created += summary.Created;
            totals.Corroborated += summary.Corroborated;
            totals.Unchanged += summary.Unchanged;
            totals.Rejected += summary.Rejected;
        }
    }

    /// <summary>Appends one summary entry per member with batches since the last flush.</summary>
    public async Task FlushAsync()
    {
        var batch = Interlocked.Exchange(ref pending, new ConcurrentDictionary<string, Totals>(StringComparer.Ordinal));
        foreach (var (memberId, totals) in batch)
        {
            string detail;
            lock (totals)
            {
                detail = $"batches={totals.Batches} items={totals.Created + totals.Corroborated + totals.Unchanged + totals.Rejected} " +
                    $"created={totals.Created} corroborated={totals.Corroborated} unchanged={totals.Unchanged} rejected={totals.Rejected}";
            }

            await audit.AppendAsync(memberId, "signals.submit", memberId, detail).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Signals.SubmitAuditInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushSafelyAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushSafelyAsync().ConfigureAwait(false);
    }

    private async Task FlushSafelyAsync()
    {
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not append submission audit entries; they are dropped for this interval.");
        }
    }

    private sealed class Totals
    {
        public long Batches;
        public long Created;
        public long Corroborated;
        public long Unchanged;
        public long Rejected;
    }
}
