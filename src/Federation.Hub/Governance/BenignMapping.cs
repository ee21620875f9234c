using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Governance;

/// <summary>Maps known-benign entries and hits to the contract.</summary>
public static class BenignMapping
{
    /// <summary>The contract form of an entry.</summary>
    public static BenignEntry ToContract(this BenignEntryRecord entry)
    {
        var parsed = NormalizedSignal.TryParseId(entry.SignalId, out var signal);
        return new BenignEntry
        {
            SignalId = entry.SignalId,
            Type = parsed ? (SignalType)signal.Kind : SignalType.Unspecified,
            Value = parsed ? signal.ToHex() : "",
            KeyId = parsed ? signal.KeyId : "",
            MaxDistance = (uint)entry.MaxDistance,
            Reason = entry.Reason,
            AddedBy = entry.AddedBy,
            AddedAt = Timestamp.FromDateTimeOffset(entry.AddedAt),
        };
    }

    /// <summary>The flag a look-up result carries.</summary>
    public static BenignMatch ToContract(this BenignHit hit) =>
        new() { SignalId = hit.Entry.SignalId, Distance = (uint)hit.Distance, Reason = hit.Entry.Reason };

    /// <summary>The per-item rejection text of a submission that matched the list (rule <c>benign.listed</c>).</summary>
    public static string RejectionDescription(this BenignHit hit) =>
        $"benign.listed: the value matches {hit.Entry.SignalId} on the coalition's known-benign list" +
        (hit.Distance > 0 ? $" (PDQ distance {hit.Distance})" : "") +
        $" ({hit.Entry.Reason}); it must not circulate as abuse. If you believe the listing is wrong, ask the coalition administrators";
}
