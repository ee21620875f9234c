using Federation.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Feed;

/// <summary>Builds the messages of the Subscribe stream.</summary>
internal static class FeedMessages
{
    public static SubscribeResponse Update(FeedEntry entry, Signal signal, string cursor) => new()
    {
        Update = new SignalUpdate
        {
            Cursor = cursor,
            Kind = entry.Kind,
            Signal = signal,
            // Redis stamps the entry id with its clock when the script appends it: the time of the change.
            EmittedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Id.Milliseconds)),
        },
    };

    public static SubscribeResponse Snapshot(Signal signal, Timestamp now) => new()
    {
        // No cursor: a snapshot cannot be resumed half way; the SNAPSHOT_END marker carries the cursor.
        Update = new SignalUpdate { Kind = UpdateKind.Snapshot, Signal = signal, EmittedAt = now },
    };

    public static SubscribeResponse Marker(UpdateKind kind, string cursor, Timestamp now) => new()
    {
        Update = new SignalUpdate { Kind = kind, Cursor = cursor, EmittedAt = now },
    };
}
