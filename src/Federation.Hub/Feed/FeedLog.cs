using Federation.Core.Feed;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// Non-blocking reads of the partition feed streams (<see cref="RedisKeys.Feed"/>) through <see cref="FeedStreamStore"/>:
/// heads, ranges for catch-up, the retention check. What the feed promises about positions lives here; the Redis
/// commands and the entry format live in the store.
/// </summary>
public sealed class FeedLog(FeedStreamStore streams, ILogger<FeedLog> logger)
{
    /// <summary>
    /// Where a partition's stream ends now: its <c>last-generated-id</c> with ordinal <c>entries-added</c>, read
    /// atomically by XINFO STREAM; <see cref="FeedPosition.Zero"/> when the stream does not exist yet.
    /// </summary>
    public async Task<FeedPosition> ReadHeadAsync(int partition) =>
        Head(await streams.InfoAsync(partition).ConfigureAwait(false));

    /// <summary>Heads of every partition, in one pipelined round trip.</summary>
    public async Task<FeedPosition[]> ReadHeadsAsync(int partitions)
    {
        var reads = new Task<FeedStreamInfo?>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            reads[p] = streams.InfoAsync(p);
        }

        var heads = new FeedPosition[partitions];
        for (var p = 0; p < partitions; p++)
        {
            heads[p] = Head(await reads[p].ConfigureAwait(false));
        }

        return heads;
    }

    /// <summary>
    /// Entries strictly after <paramref name="after"/> up to and including <paramref name="upTo"/>, oldest first,
    /// numbered on from <paramref name="after"/>'s ordinal (valid while nothing after it was trimmed, which the
    /// caller checks with <see cref="CheckRetainedAsync"/> before each page).
    /// </summary>
    public Task<FeedEntry[]> RangeAsync(int partition, FeedPosition after, FeedPosition upTo, int count) =>
        streams.RangeAsync(partition, after, upTo, count);

    /// <summary>
    /// Why a subscriber positioned at <paramref name="position"/> cannot resume in this partition, or null
    /// when every entry after it is still in the stream.
    /// </summary>
    /// <remarks>
    /// Exact: trimming (MAXLEN by the writer, MINID by <see cref="FeedRetention"/>) only ever removes the oldest entries,
    /// so the entries removed so far are ordinals 1 .. <c>entries-added - length</c>; the entries after a position of
    /// ordinal o are all there exactly when that count is at most o. Redis 7.0 does not record trimmed ids in
    /// <c>max-deleted-entry-id</c> (only XDEL'd ones), so that field alone cannot see trimming; it is checked too.
    /// A position after the stream's head was never handed out by this store (Redis lost data or was replaced).
    /// </remarks>
    public async Task<string?> CheckRetainedAsync(int partition, FeedPosition position)
    {
        var info = await streams.InfoAsync(partition).ConfigureAwait(false);
        if (info is not { } stream)
        {
            return position == FeedPosition.Zero ? null : $"partition {partition}'s feed no longer exists in the store";
        }

        var head = Head(stream);
        if (position > head || position.Ordinal > head.Ordinal)
        {
            return $"partition {partition} never reached the cursor's position (the store was reset)";
        }

        var maxDeleted = stream.MaxDeletedEntryId is { } deleted ? FeedPosition.Parse(deleted) : FeedPosition.Zero;
        var removed = (ulong)Math.Max(0, stream.EntriesAdded - stream.Length);
        if (maxDeleted > position || removed > position.Ordinal)
        {
            logger.LogDebug("Cursor {Position} (ordinal {Ordinal}) of partition {Partition} predates retention ({Removed} entries removed)",
                position, position.Ordinal, partition, removed);
            return $"partition {partition}'s feed was trimmed past the cursor (the cursor is older than the retained feed)";
        }

        return null;
    }

    private static FeedPosition Head(FeedStreamInfo? info) =>
        info is { } stream ? FeedPosition.Parse(stream.LastGeneratedId, (ulong)stream.EntriesAdded) : FeedPosition.Zero;
}
