using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Storage;
using StackExchange.Redis;

namespace Federation.Hub.Feed;

/// <summary>
/// Non-blocking reads of the partition feed streams (<see cref="RedisKeys.Feed"/>) on the shared
/// multiplexer: heads, ranges for catch-up, the retention check, parsing of entries.
/// </summary>
public sealed class FeedLog(IConnectionMultiplexer redis, ILogger<FeedLog> logger)
{
    /// <summary>
    /// Where a partition's stream ends now: its <c>last-generated-id</c> with ordinal <c>entries-added</c>, read
    /// atomically by XINFO STREAM; <see cref="FeedPosition.Zero"/> when the stream does not exist yet.
    /// </summary>
    public async Task<FeedPosition> ReadHeadAsync(int partition) =>
        Head(await InfoAsync(redis.GetDatabase(), partition).ConfigureAwait(false));

    /// <summary>Heads of every partition, in one pipelined round trip.</summary>
    public async Task<FeedPosition[]> ReadHeadsAsync(int partitions)
    {
        var db = redis.GetDatabase();
        var reads = new Task<StreamInfo?>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            reads[p] = InfoAsync(db, p);
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
    public async Task<FeedEntry[]> RangeAsync(int partition, FeedPosition after, FeedPosition upTo, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(
            RedisKeys.Feed(partition), "(" + after.ToString(), upTo.ToString(), count, Order.Ascending).ConfigureAwait(false);
        var result = new FeedEntry[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            result[i] = Parse(partition, entries[i].Id, entries[i].Values, after.Ordinal + 1 + (ulong)i);
        }

        return result;
    }

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
        var info = await InfoAsync(redis.GetDatabase(), partition).ConfigureAwait(false);
        if (info is not { } stream)
        {
            return position == FeedPosition.Zero ? null : $"partition {partition}'s feed no longer exists in the store";
        }

        var head = Head(stream);
        if (position > head || position.Ordinal > head.Ordinal)
        {
            return $"partition {partition} never reached the cursor's position (the store was reset)";
        }

        var maxDeleted = stream.MaxDeletedEntryId.IsNull ? FeedPosition.Zero : FeedPosition.Parse(stream.MaxDeletedEntryId.ToString());
        var removed = (ulong)Math.Max(0, stream.EntriesAdded - stream.Length);
        if (maxDeleted > position || removed > position.Ordinal)
        {
            logger.LogDebug("Cursor {Position} (ordinal {Ordinal}) of partition {Partition} predates retention ({Removed} entries removed)",
                position, position.Ordinal, partition, removed);
            return $"partition {partition}'s feed was trimmed past the cursor (the cursor is older than the retained feed)";
        }

        return null;
    }

    /// <summary>Reads one entry in the contract format (<c>s</c>, <c>k</c>, <c>v</c>).</summary>
    public static FeedEntry Parse(int partition, RedisValue id, NameValueEntry[] fields, ulong ordinal)
    {
        byte[]? storageKey = null;
        var kind = UpdateKind.Unspecified;
        long version = 0;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case "s":
                    storageKey = (byte[]?)field.Value;
                    break;
                case "k":
                    kind = (UpdateKind)(int)field.Value;
                    break;
                case "v":
                    version = (long)field.Value;
                    break;
            }
        }

        return new FeedEntry(partition, FeedPosition.Parse(id.ToString(), ordinal), storageKey ?? [], kind, version);
    }

    /// <summary>Reads one entry from a raw XREAD reply (<c>[id, [field, value, ...]]</c>).</summary>
    public static FeedEntry Parse(int partition, RedisResult entry, ulong ordinal)
    {
        var parts = (RedisResult[])entry!;
        var fields = (RedisResult[])parts[1]!;
        var pairs = new NameValueEntry[fields.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new NameValueEntry((RedisValue)fields[2 * i], (RedisValue)fields[(2 * i) + 1]);
        }

        return Parse(partition, (RedisValue)parts[0], pairs, ordinal);
    }

    private static async Task<StreamInfo?> InfoAsync(IDatabaseAsync db, int partition)
    {
        try
        {
            return await db.StreamInfoAsync(RedisKeys.Feed(partition)).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    private static FeedPosition Head(StreamInfo? info) =>
        info is { } stream ? FeedPosition.Parse(stream.LastGeneratedId.ToString(), (ulong)stream.EntriesAdded) : FeedPosition.Zero;
}
