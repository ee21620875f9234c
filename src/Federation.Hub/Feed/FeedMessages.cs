using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
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

    /// <summary>
    /// For a removal (RETRACTED, EXPIRED, OVERTURNED) whose record no longer exists (its tombstone was purged before this entry
    /// was read): a minimal record rebuilt from the storage key, so a subscriber still hears that the signal is gone.
    /// Null for any other entry.
    /// </summary>
    public static SignalRecord? Gone(FeedEntry entry)
    {
        if (!FeedKinds.EndsRecord(entry.Kind) || entry.StorageKey.Length == 0)
        {
            return null;
        }

        try
        {
            var (signal, group) = SignalStorageKey.Parse(entry.StorageKey);
            var state = entry.Kind switch
            {
                UpdateKind.Retracted => SignalState.Retracted,
                UpdateKind.Overturned => SignalState.Overturned,
                _ => SignalState.Expired,
            };
            return new SignalRecord(signal, group, CategorySet.Empty, default, default, 0, 0, 0, 0, state, entry.Version, null, 0);
        }
        catch (FormatException)
        {
            return null;
        }
    }

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
