using Federation.Core.Signals;
using Federation.Hub.Domain;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Governance;

/// <summary>
/// The coalition's known-benign list (issue 17, item 3): hashes administrators say must never circulate as abuse.
/// Changes are audited. Each replica keeps the list in memory and checks its version in Redis (one GET) before it
/// screens a batch, so a hash listed through any replica is refused by every replica from the next batch on.
/// </summary>
public sealed class KnownBenignList(BenignStore store, AuditLog audit, IOptions<FederationOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>Longest reason.</summary>
    public const int MaxReasonLength = 500;

    private readonly SignalOptions signals = options.Value.Signals;
    private readonly SemaphoreSlim reloading = new(1, 1);
    private volatile BenignSnapshot current = new(-1, []);

    /// <summary>The current list: the copy in memory when its version is Redis's, else a fresh read.</summary>
    public async Task<BenignSnapshot> CurrentAsync()
    {
        var version = await store.VersionAsync().ConfigureAwait(false);
        var snapshot = current;
        if (snapshot.Version == version)
        {
            return snapshot;
        }

        await reloading.WaitAsync().ConfigureAwait(false);
        try
        {
            if (current.Version != version)
            {
                var (read, entries) = await store.ReadAllAsync().ConfigureAwait(false);
                current = new BenignSnapshot(read, entries);
            }

            return current;
        }
        finally
        {
            reloading.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => reloading.Dispose();

    /// <summary>Lists (or updates) a hash; audited as <c>benign.add</c>.</summary>
    public async Task<(BenignEntryRecord Entry, bool Created)> AddAsync(string actor, SignalReference? reference, string reason, uint? maxDistance)
    {
        var signal = Resolve(reference);
        reason = reason.Trim();
        if (reason.Length is 0 or > MaxReasonLength)
        {
            throw HubErrors.InvalidArgument("reason", $"benign.reason: a reason of 1-{MaxReasonLength} characters is required (got {reason.Length}); say why the hash must never circulate, e.g. \"false positive: stock photo\"");
        }

        var distance = signal.Kind == SignalKind.Pdq ? (int)Math.Min(maxDistance ?? (uint)signals.DefaultPdqDistance, (uint)signals.MaxPdqDistance) : 0;
        var entry = new BenignEntryRecord(signal.Id, distance, DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds()), actor, reason);
        var created = await store.PutAsync(entry).ConfigureAwait(false);
        await audit.AppendAsync(actor, "benign.add", signal.Id, $"max_distance={distance};created={(created ? 1 : 0)};reason={reason}").ConfigureAwait(false);
        return (entry, created);
    }

    /// <summary>Takes a hash off the list; audited as <c>benign.remove</c>.</summary>
    public async Task<BenignEntryRecord> RemoveAsync(string actor, SignalReference? reference, string reason)
    {
        var signal = Resolve(reference);
        var removed = await store.RemoveAsync(signal.Id).ConfigureAwait(false)
            ?? throw HubErrors.NotFound($"{signal.Id} is not on the known-benign list (ListBenign shows the list).");
        await audit.AppendAsync(actor, "benign.remove", signal.Id, reason.Trim().Length > 0 ? "reason=" + reason.Trim() : "").ConfigureAwait(false);
        return removed;
    }

    private static NormalizedSignal Resolve(SignalReference? reference) => SignalReferences.Normalize(reference);
}
