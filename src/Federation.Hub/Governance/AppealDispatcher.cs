using System.Globalization;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Governance;

/// <summary>
/// Writes the overturn notices the store owes (docs/governance.md). The scripts that overturn or retract a record members
/// acted on mark it in its partition's appeals hash in the same call; every replica runs this dispatcher, woken by
/// the feed's RETRACTED and OVERTURNED entries and every <see cref="GovernanceOptions.AppealScanInterval"/> besides,
/// so a mark written while every replica was down is still served. Each notice is written once per member (a mark
/// per notice, SET NX), however many replicas race to write it; the record's mark goes once all its notices are written.
/// </summary>
public sealed partial class AppealDispatcher(
    AppealStore appeals, MemberStore members, SignalStore signals, FeedTail tail, AuditLog audit, IOptions<FederationOptions> options, ILogger<AppealDispatcher> logger)
    : BackgroundService
{
    private readonly TimeSpan interval = options.Value.Governance.AppealScanInterval;
    private readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Asks for a round now (an overturn on this replica; a RETRACTED or OVERTURNED entry in the feed).</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A round is due already.
        }
    }

    /// <summary>Writes every notice owed now; returns how many this call wrote (for tests and the audit).</summary>
    public async Task<int> DispatchAsync(CancellationToken ct)
    {
        var written = 0;
        for (var p = 0; p < signals.PartitionCount; p++)
        {
            foreach (var (storageKey, mark) in await appeals.PendingAsync(p).ConfigureAwait(false))
            {
                ct.ThrowIfCancellationRequested();
                written += await NotifyAsync(p, storageKey, mark).ConfigureAwait(false);
            }
        }

        return written;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = await tail.ObserveAsync(
            entry =>
            {
                if (entry.Kind is UpdateKind.Retracted or UpdateKind.Overturned)
                {
                    Wake();
                }
            },
            stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (StoreFailures.IsStoreError(e))
            {
                LogRoundFailed(e.Message);
            }

            try
            {
                await wake.WaitAsync(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }

    private async Task<int> NotifyAsync(int partition, byte[] storageKey, string mark)
    {
        var parts = mark.Split('|', 3);
        var cause = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var at = long.Parse(parts[1], CultureInfo.InvariantCulture);
        var reason = parts.Length > 2 ? parts[2] : "";
        var actions = await appeals.ActionsAsync(partition, storageKey).ConfigureAwait(false);
        var ids = await members.IdsOfNumbersAsync(actions.Select(a => a.Member).ToArray()).ConfigureAwait(false);
        // One notice per record end: the storage key and the time of the change name it.
        var notice = Convert.ToHexStringLower(storageKey) + ":" + parts[1];
        var written = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            if (ids[i] is not { } memberId)
            {
                continue; // a number that names nobody (never assigned): nobody to tell
            }

            var stored = new StoredNotice("", storageKey, cause, DateTimeOffset.FromUnixTimeSeconds(at), reason, actions[i].Actions);
            if (await appeals.WriteNoticeAsync(memberId, notice, stored).ConfigureAwait(false))
            {
                written++;
            }
        }

        await appeals.DoneAsync(partition, storageKey, mark).ConfigureAwait(false);
        if (written > 0)
        {
            var (signal, group) = SignalStorageKey.Parse(storageKey);
            await audit.AppendAsync("policy", "appeal.notify", SignalRecordId.Of(signal.Id, group), $"cause={(OverturnCause)cause};members={written}").ConfigureAwait(false);
        }

        return written;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appeal notices round failed ({Message}); retrying next round")]
    private partial void LogRoundFailed(string message);
}
