using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Governance;

/// <summary>Maps recorded actions and stored notices to the contract.</summary>
public static class AppealMapping
{
    /// <summary>The contract form of a recorded action.</summary>
    public static RecordedAction ToContract(this StoredAction action) => new()
    {
        Kind = (ActionKind)action.Kind,
        Reference = action.Reference,
        RecordedAt = Timestamp.FromDateTimeOffset(action.RecordedAt),
    };

    /// <summary>The contract form of a stored notice; its stream id is the cursor.</summary>
    public static OverturnNotice ToContract(this StoredNotice stored)
    {
        var (signal, group) = SignalStorageKey.Parse(stored.StorageKey);
        var notice = new OverturnNotice
        {
            Cursor = stored.Cursor,
            RecordId = SignalRecordId.Of(signal.Id, group),
            Signal = new SignalRef { Type = (SignalType)signal.Kind, Value = signal.ToHex() },
            SharingGroup = group,
            Cause = (OverturnCause)stored.Cause,
            Reason = stored.Reason,
            OverturnedAt = Timestamp.FromDateTimeOffset(stored.At),
        };
        notice.Actions.AddRange(stored.Actions.Select(a => a.ToContract()));
        return notice;
    }
}
