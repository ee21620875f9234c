using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Governance;

/// <summary>
/// Administrators' quarantine, release and overturn of signals (docs/governance.md), each audited. The policies that act
/// by themselves (opinions in <see cref="SignalStore.SetOpinionAsync"/>, the match rate in <see cref="MatchRateMonitor"/>)
/// write the same record changes.
/// </summary>
public sealed class SignalGovernance(
    GovernanceStore store, SignalStore signals, AppealStore appeals, KnownBenignList benign, AuditLog audit, AppealDispatcher dispatcher, TransparencyCounters report)
{
    /// <summary>Longest reason.</summary>
    public const int MaxReasonLength = KnownBenignList.MaxReasonLength;

    /// <summary>Most disputed signals <see cref="ListDisputedAsync"/> returns.</summary>
    public const int MaxDisputed = 500;

    /// <summary>Every quarantined record, oldest quarantine first.</summary>
    public async Task<IReadOnlyList<(SignalRecord Record, QuarantineEntry Quarantine)>> ListQuarantinedAsync()
    {
        var entries = await store.ListQuarantinedAsync().ConfigureAwait(false);
        var records = await signals.GetManyAsync(entries.Select(e => (e.Partition, e.StorageKey)).ToList()).ConfigureAwait(false);
        var quarantined = new List<(SignalRecord, QuarantineEntry)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (records[i] is { } record)
            {
                quarantined.Add((record, entries[i]));
            }
        }

        return quarantined;
    }

    /// <summary>Active records with at least <paramref name="minDisputes"/> disputes, most disputed first.</summary>
    public async Task<IReadOnlyList<SignalRecord>> ListDisputedAsync(int minDisputes)
    {
        var entries = await store.ListDisputedAsync(Math.Max(1, minDisputes)).ConfigureAwait(false);
        var records = await signals.GetManyAsync(entries.Select(e => (e.Partition, e.StorageKey)).ToList()).ConfigureAwait(false);
        return records
            .OfType<SignalRecord>()
            .Where(r => r.State == SignalState.Active)
            .OrderByDescending(r => r.Disputed + r.FalsePositive)
            .ThenBy(r => SignalRecordId.Of(r.Signal.Id, r.SharingGroup), StringComparer.Ordinal)
            .Take(MaxDisputed)
            .ToList();
    }

    /// <summary>Quarantines an active record by hand.</summary>
    public async Task<SignalRecord> QuarantineAsync(string actor, SignalReference? reference, string sharingGroup, string reason)
    {
        var (recordId, partition, key, why) = Resolve(reference, sharingGroup, reason);
        var change = await store.QuarantineAsync(partition, key, (int)QuarantineTrigger.Administrator, why).ConfigureAwait(false);
        var record = Require(change, recordId, "already quarantined (ListQuarantined shows since when); release or overturn it instead");
        report.Add(TransparencyCounters.Quarantined);
        await audit.AppendAsync(actor, "signal.quarantine", recordId, "trigger=administrator;reason=" + why).ConfigureAwait(false);
        return record;
    }

    /// <summary>Releases a quarantined record: active again, and left be by the opinion policy.</summary>
    public async Task<SignalRecord> ReleaseAsync(string actor, SignalReference? reference, string sharingGroup, string reason)
    {
        var (recordId, partition, key, why) = Resolve(reference, sharingGroup, reason);
        var change = await store.ReleaseAsync(partition, key, why).ConfigureAwait(false);
        var record = Require(change, recordId, "not quarantined (ListQuarantined lists what is)");
        report.Add(TransparencyCounters.Released);
        await audit.AppendAsync(actor, "signal.release", recordId, "reason=" + why).ConfigureAwait(false);
        return record;
    }

    /// <summary>Overturns an active record; with <paramref name="addToBenign"/> also lists the hash as known-benign.</summary>
    public async Task<(SignalRecord Record, long ActingMembers)> OverturnAsync(string actor, SignalReference? reference, string sharingGroup, string reason, bool addToBenign)
    {
        var (recordId, partition, key, why) = Resolve(reference, sharingGroup, reason);
        var change = await store.OverturnAsync(partition, key, why).ConfigureAwait(false);
        var record = Require(change, recordId, "");
        report.Add(TransparencyCounters.Overturned);
        var acting = await appeals.ActingMembersAsync(partition, key).ConfigureAwait(false);
        await audit.AppendAsync(actor, "signal.overturn", recordId, $"cause=administrator;acting_members={acting};reason={why}").ConfigureAwait(false);
        if (addToBenign)
        {
            await benign.AddAsync(actor, reference, "overturned: " + why, maxDistance: null).ConfigureAwait(false);
        }

        dispatcher.Wake();
        return (record, acting);
    }

    private (string RecordId, int Partition, byte[] Key, string Reason) Resolve(SignalReference? reference, string sharingGroup, string reason)
    {
        var signal = SignalReferences.Normalize(reference);
        var why = reason.Trim();
        if (why.Length is 0 or > MaxReasonLength)
        {
            throw HubErrors.InvalidArgument("reason", $"governance.reason: a reason of 1-{MaxReasonLength} characters is required (got {why.Length}); it goes to the audit log and, for an overturn, to the members that acted on the signal");
        }

        return (SignalRecordId.Of(signal.Id, sharingGroup), signal.Partition(signals.PartitionCount), SignalStorageKey.Create(signal, sharingGroup), why);
    }

    private static SignalRecord Require(SignalChange change, string recordId, string unchanged) => change.Code switch
    {
        SignalChangeCode.Changed => change.Record!,
        SignalChangeCode.NotFound => throw HubErrors.NotFound($"No signal {recordId} is stored on this hub."),
        SignalChangeCode.NotActive => throw HubErrors.FailedPrecondition(
            $"Signal {recordId} is {change.Record?.State.ToString().ToUpperInvariant()}; only ACTIVE signals (quarantined or not) can be governed."),
        _ => throw HubErrors.FailedPrecondition($"Signal {recordId} is {unchanged}."),
    };
}
