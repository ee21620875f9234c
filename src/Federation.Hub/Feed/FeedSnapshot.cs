using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Contract;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Feed;

/// <summary>
/// Start SNAPSHOT: every active record the subscriber may see, partition by partition, then SNAPSHOT_END with the
/// cursor where live updates start. A step of its own because it reads the records (a scan), not the feed.
/// </summary>
internal sealed class FeedSnapshot(FeedTail tail, FeedLog log, SignalStore store, TimeProvider clock)
{
    /// <summary>Sends the snapshot and SNAPSHOT_END; returns the position vector where live updates start.</summary>
    public async Task<FeedPosition[]> SendAsync(FeedSubscriber subscriber)
    {
        var partitions = tail.PartitionCount;
        var noted = new FeedPosition[partitions];
        var now = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
        for (var p = 0; p < partitions; p++)
        {
            // Note the head first: any change after it is in the stream after this id and arrives live,
            // so nothing between the scan and the live tail is lost (some state may arrive twice; versions tell).
            noted[p] = await log.ReadHeadAsync(p).ConfigureAwait(false);
            await foreach (var record in store.ScanActiveAsync(p, subscriber.Token).ConfigureAwait(false))
            {
                if (subscriber.Wanted(record, UpdateKind.Snapshot))
                {
                    await subscriber.Stream.SendAsync(FeedMessages.Snapshot(record.ToContract(), now)).ConfigureAwait(false);
                }
            }
        }

        await subscriber.Stream.SendAsync(FeedMessages.Marker(UpdateKind.SnapshotEnd, FeedCursor.Encode(noted), now)).ConfigureAwait(false);
        await subscriber.Stream.FlushAsync().ConfigureAwait(false);
        return noted;
    }
}
