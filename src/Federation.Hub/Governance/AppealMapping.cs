using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Federation.Hub.Governance;

/// <summary>Maps recorded actions and notice stream entries to the contract.</summary>
public static class AppealMapping
{
    /// <summary>The contract form of a recorded action.</summary>
    public static RecordedAction ToContract(this StoredAction action) => new()
    {
        Kind = (ActionKind)action.Kind,
        Reference = action.Reference,
        RecordedAt = Timestamp.FromDateTimeOffset(action.RecordedAt),
    };

    /// <summary>The fields of a notice stream entry (read back by <see cref="ToNotice"/>).</summary>
    public static KeyValuePair<string, RedisValue>[] NoticeFields(byte[] storageKey, int cause, long at, string reason, string packedActions) =>
    [
        new("s", storageKey),
        new("c", cause),
        new("a", at),
        new("r", reason),
        new("x", packedActions),
    ];

    /// <summary>The notice a stream entry holds; its stream id is the cursor.</summary>
    public static OverturnNotice ToNotice(StreamEntry entry)
    {
        var (signal, group) = SignalStorageKey.Parse((byte[])entry["s"]!);
        var notice = new OverturnNotice
        {
            Cursor = entry.Id.ToString(),
            RecordId = SignalRecordId.Of(signal.Id, group),
            Signal = new SignalRef { Type = (SignalType)signal.Kind, Value = signal.ToHex() },
            SharingGroup = group,
            Cause = (OverturnCause)(int)entry["c"],
            Reason = entry["r"].ToString(),
            OverturnedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeSeconds((long)entry["a"])),
        };
        notice.Actions.AddRange(StoredAction.Parse(entry["x"].ToString()).Select(a => a.ToContract()));
        return notice;
    }
}
