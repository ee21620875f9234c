using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Governance;
using Federation.Hub.Storage;

namespace Federation.Hub.Signals;

/// <summary>
/// A member's own part in a signal after submission: its opinion, the retraction of its contribution, and the actions it
/// took on the strength of the signal (appeal propagation, docs/governance.md).
/// </summary>
public sealed class SignalContributions(SignalStore store, MemberStore members, AppealStore appeals, AuditLog audit, TransparencyCounters report)
{
    /// <summary>Longest action reference.</summary>
    public const int MaxReferenceLength = 128;

    /// <summary>Records, changes or (with <see cref="SignalOpinion.Unspecified"/>) withdraws the caller's opinion.</summary>
    public async Task<OpinionChange> SetOpinionAsync(Caller caller, SignalReference? reference, SignalOpinion opinion, string sharingGroup)
    {
        if (opinion is < SignalOpinion.Unspecified or > SignalOpinion.FalsePositive)
        {
            throw HubErrors.InvalidArgument("opinion", $"opinion.unknown: opinion {(int)opinion} is not known; use CONFIRMED, DISPUTED, FALSE_POSITIVE, or UNSPECIFIED to withdraw yours");
        }

        var (signal, partition, key) = Resolve(caller, reference, sharingGroup);
        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var change = await store.SetOpinionAsync(partition, key, number, (int)opinion).ConfigureAwait(false);
        var record = Require(change, signal, sharingGroup, "give an opinion on");
        if (change.Code == SignalChangeCode.Changed && opinion != SignalOpinion.Unspecified)
        {
            report.Add(TransparencyCounters.OpinionOf(opinion));
        }

        if (change.FeedKind is (int)UpdateKind.Quarantined or (int)UpdateKind.Overturned)
        {
            // The policy acted on the new counts (signal_opinion.lua): on the record as on any administrator's act.
            var what = change.FeedKind == (int)UpdateKind.Quarantined ? "signal.quarantine" : "signal.overturn";
            var why = change.FeedKind == (int)UpdateKind.Quarantined ? "trigger=disputes" : "cause=false_positive_quorum";
            report.Add(change.FeedKind == (int)UpdateKind.Quarantined ? TransparencyCounters.Quarantined : TransparencyCounters.Overturned);
            await audit.AppendAsync("policy", what, SignalRecordId.Of(signal.Id, sharingGroup), $"{why};confirmed={record.Confirmed};disputed={record.Disputed};false_positive={record.FalsePositive}").ConfigureAwait(false);
        }

        return new OpinionChange(record, change.ContributedByCaller, opinion, change.Code == SignalChangeCode.Changed);
    }

    /// <summary>Withdraws the caller's own contribution; the record becomes RETRACTED when nobody backs it any more.</summary>
    public async Task<SignalRecord> RetractAsync(Caller caller, SignalReference? reference, string sharingGroup)
    {
        var (signal, partition, key) = Resolve(caller, reference, sharingGroup);
        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var change = await store.RetractAsync(partition, key, number).ConfigureAwait(false);
        if (change.Code == SignalChangeCode.NotContributor)
        {
            throw HubErrors.FailedPrecondition(
                $"Member '{caller.MemberId}' has not contributed to signal {signal.Id}{Where(sharingGroup)}; a member can retract only its own contribution. Use SetOpinion (DISPUTED or FALSE_POSITIVE) to disagree with others' contributions.");
        }

        var record = Require(change, signal, sharingGroup, "retract");
        report.Add(record.State == SignalState.Retracted ? TransparencyCounters.Retracted : TransparencyCounters.Withdrawn);
        return record;
    }

    /// <summary>Records that the caller acted on a signal it may see; audited without the reference.</summary>
    /// <returns>Whether this action was new, and every action the caller recorded on the signal.</returns>
    public async Task<(bool Created, IReadOnlyList<StoredAction> Actions)> RecordActionAsync(
        Caller caller, SignalReference? signalReference, string sharingGroup, SignalActionKind kind, string actionReference)
    {
        if (kind is <= SignalActionKind.Unspecified or > SignalActionKind.Other)
        {
            throw HubErrors.InvalidArgument("kind", $"action.kind: kind {(int)kind} is not an action kind; use CONTENT_REMOVED, ACCOUNT_ACTIONED, REPORTED_TO_HOTLINE, REFERRED_TO_LAW_ENFORCEMENT or OTHER");
        }

        var reference = actionReference.Trim();
        if (reference.Length is 0 or > MaxReferenceLength || reference.Any(char.IsControl))
        {
            throw HubErrors.InvalidArgument("reference", $"action.reference: your own reference for the action (a case or ticket id) is required, 1-{MaxReferenceLength} printable characters without control characters (got {reference.Length}); never content or personal data");
        }

        var (signal, partition, key) = Resolve(caller, signalReference, sharingGroup);
        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var (code, record, actions) = await appeals.RecordActionAsync(partition, key, number, (int)kind, reference).ConfigureAwait(false);
        var recordId = SignalRecordId.Of(signal.Id, sharingGroup);
        switch (code)
        {
            case ActionRecordCode.NotFound:
                throw HubErrors.NotFound($"No signal {recordId} is stored on this hub.");
            case ActionRecordCode.NotActive:
                throw HubErrors.FailedPrecondition($"Signal {recordId} is {record?.State.ToString().ToUpperInvariant()}; actions are recorded on ACTIVE signals only (an overturned or retracted one needs no action).");
            case ActionRecordCode.TooMany:
                throw HubErrors.ResourceExhausted($"Member '{caller.MemberId}' has recorded {AppealStore.MaxActionsPerMember} actions on {recordId}, the most one member may; record one reference for a bulk action instead.");
            case ActionRecordCode.Recorded:
                await audit.AppendAsync(caller.MemberId, "action.record", recordId, $"kind={kind}").ConfigureAwait(false);
                break;
        }

        return (code == ActionRecordCode.Recorded, actions);
    }

    private (NormalizedSignal Signal, int Partition, byte[] Key) Resolve(Caller caller, SignalReference? reference, string sharingGroup)
    {
        var signal = SignalReferences.Normalize(reference);
        if (sharingGroup.Length > 0 && !caller.Member.InGroup(sharingGroup))
        {
            throw HubErrors.PermissionDenied($"Member '{caller.MemberId}' is not in sharing group '{sharingGroup}'.");
        }

        return (signal, signal.Partition(store.PartitionCount), SignalStorageKey.Create(signal, sharingGroup));
    }

    private static SignalRecord Require(SignalChange change, NormalizedSignal signal, string sharingGroup, string action)
    {
        if (change.Record is null || change.Code == SignalChangeCode.NotFound)
        {
            throw HubErrors.NotFound($"No signal {signal.Id}{Where(sharingGroup)} is stored on this hub.");
        }

        if (change.Code == SignalChangeCode.NotActive)
        {
            throw HubErrors.FailedPrecondition(
                $"Signal {signal.Id}{Where(sharingGroup)} is {change.Record.State.ToString().ToUpperInvariant()}; only ACTIVE signals can be changed ({action}). Submit it again to revive it.");
        }

        return change.Record;
    }

    private static string Where(string sharingGroup) => sharingGroup.Length == 0 ? "" : $" in sharing group '{sharingGroup}'";
}
