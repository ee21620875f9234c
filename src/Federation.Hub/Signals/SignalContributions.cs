using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Signals;

/// <summary>A member's own part in a signal after submission: its opinion and the retraction of its contribution.</summary>
public sealed class SignalContributions(SignalStore store, MemberStore members)
{
    /// <summary>Records, changes or (with <see cref="Opinion.Unspecified"/>) withdraws the caller's opinion.</summary>
    public async Task<SetOpinionResponse> SetOpinionAsync(Caller caller, SignalRef? reference, Opinion opinion, string sharingGroup)
    {
        if (opinion is < Opinion.Unspecified or > Opinion.FalsePositive)
        {
            throw HubErrors.InvalidArgument("opinion", $"opinion.unknown: opinion {(int)opinion} is not known; use CONFIRMED, DISPUTED, FALSE_POSITIVE, or UNSPECIFIED to withdraw yours");
        }

        var (signal, partition, key) = Resolve(caller, reference, sharingGroup);
        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var change = await store.SetOpinionAsync(partition, key, number, (int)opinion).ConfigureAwait(false);
        var record = Require(change, signal, sharingGroup, "give an opinion on");
        var contract = record.ToContract();
        contract.ContributedByCaller = change.ContributedByCaller;
        contract.CallerOpinion = opinion;
        return new SetOpinionResponse { Signal = contract, Changed = change.Code == SignalChangeCode.Changed };
    }

    /// <summary>Withdraws the caller's own contribution; the record becomes RETRACTED when nobody backs it any more.</summary>
    public async Task<RetractResponse> RetractAsync(Caller caller, SignalRef? reference, string sharingGroup)
    {
        var (signal, partition, key) = Resolve(caller, reference, sharingGroup);
        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var change = await store.RetractAsync(partition, key, number).ConfigureAwait(false);
        if (change.Code == SignalChangeCode.NotContributor)
        {
            throw HubErrors.FailedPrecondition(
                $"Member '{caller.MemberId}' has not contributed to signal {signal.Id}{Where(sharingGroup)}; a member can retract only its own contribution. Use SetOpinion (DISPUTED or FALSE_POSITIVE) to disagree with others' contributions.");
        }

        return new RetractResponse { Signal = Require(change, signal, sharingGroup, "retract").ToContract() };
    }

    private (NormalizedSignal Signal, int Partition, byte[] Key) Resolve(Caller caller, SignalRef? reference, string sharingGroup)
    {
        if (reference is null)
        {
            throw HubErrors.InvalidArgument("signal", "signal.missing: signal (type and value) is required");
        }

        if (!SignalNormalizer.TryNormalize((SignalKind)reference.Type, reference.Value, reference.KeyId, SignalNormalizer.MaxPdqQuality, 0, out var signal, out var error))
        {
            throw HubErrors.InvalidArgument($"signal.{error.Field}", $"{error.Rule}: {error.Message}");
        }

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
