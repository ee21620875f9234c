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
    /// <summary>The id of the newest entry of a partition's stream; <see cref="FeedPosition.Zero"/> when it has none.</summary>
    public async Task<FeedPosition> ReadHeadAsync(int partition)
    {
        var newest = await redis.GetDatabase().StreamRangeAsync(RedisKeys.Feed(partition), "-", "+", 1, Order.Descending).ConfigureAwait(false);
        return newest.Length == 0 ? FeedPosition.Zero : FeedPosition.Parse(newest[0].Id.ToString());
    }

    /// <summary>Heads of every partition, in one pipelined round trip.</summary>
    public async Task<FeedPosition[]> ReadHeadsAsync(int partitions)
    {
        var db = redis.GetDatabase();
        var reads = new Task<StreamEntry[]>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            reads[p] = db.StreamRangeAsync(RedisKeys.Feed(p), "-", "+", 1, Order.Descending);
        }

        var heads = new FeedPosition[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var newest = await reads[p].ConfigureAwait(false);
            heads[p] = newest.Length == 0 ? FeedPosition.Zero : FeedPosition.Parse(newest[0].Id.ToString());
        }

        return heads;
    }

    /// <summary>Entries strictly after <paramref name="after"/> up to and including <paramref name="upTo"/>, oldest first.</summary>
    public async Task<FeedEntry[]> RangeAsync(int partition, FeedPosition after, FeedPosition upTo, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(
            RedisKeys.Feed(partition), "(" + after.ToString(), upTo.ToString(), count, Order.Ascending).ConfigureAwait(false);
        var result = new FeedEntry[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            result[i] = Parse(partition, entries[i].Id, entries[i].Values);
        }

        return result;
    }

    /// <summary>
    /// Why a subscriber positioned at <paramref name="position"/> cannot resume in this partition, or null
    /// when every entry after it is still in the stream.
    /// </summary>
    /// <remarks>
    /// Trimming (MAXLEN by the writer, MINID by <see cref="FeedRetention"/>) only ever removes the oldest entries,
    /// and nothing deletes feed entries otherwise. Positions are always ids of entries that existed (or 0-0). So:
    /// while the stream still holds the position's own entry (first entry &lt;= position), nothing after it was
    /// removed. Once the position's entry itself is gone, the entries right after it may be gone too, and the
    /// hub cannot tell (Redis 7.0 does not record trimmed ids in <c>max-deleted-entry-id</c>), so it refuses:
    /// a subscriber exactly at the retention edge may be asked to take a snapshot one entry early, but never
    /// resumes over a gap. <c>max-deleted-entry-id</c> after the position (an XDEL, or a Redis that records
    /// trims) is refused too. A position equal to <c>last-generated-id</c> (an idle partition whose last entries
    /// aged out) always resumes. A position after <c>last-generated-id</c> was never handed out by this store.
    /// </remarks>
    public async Task<string?> CheckRetainedAsync(int partition, FeedPosition position)
    {
        StreamInfo info;
        try
        {
            info = await redis.GetDatabase().StreamInfoAsync(RedisKeys.Feed(partition)).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return position == FeedPosition.Zero ? null : $"partition {partition}'s feed no longer exists in the store";
        }

        var lastGenerated = FeedPosition.Parse(info.LastGeneratedId.ToString());
        if (position > lastGenerated)
        {
            return $"partition {partition} never reached the cursor's position (the store was reset)";
        }

        if (position == lastGenerated)
        {
            return null; // nothing was ever added after it, whatever was trimmed before
        }

        var maxDeleted = info.MaxDeletedEntryId.IsNull ? FeedPosition.Zero : FeedPosition.Parse(info.MaxDeletedEntryId.ToString());
        if (maxDeleted > position)
        {
            return $"partition {partition}'s feed lost entries after the cursor";
        }

        if (info.EntriesAdded <= info.Length)
        {
            return null; // nothing was ever trimmed
        }

        if (info.Length > 0 && FeedPosition.Parse(info.FirstEntry.Id.ToString()) <= position)
        {
            return null; // the position's own entry is still there, so is everything after it
        }

        logger.LogDebug("Cursor {Position} of partition {Partition} predates retention", position, partition);
        return $"partition {partition}'s feed was trimmed past the cursor (the cursor is older than the retained feed)";
    }

    /// <summary>Reads one entry in the contract format (<c>s</c>, <c>k</c>, <c>v</c>).</summary>
    public static FeedEntry Parse(int partition, RedisValue id, NameValueEntry[] fields)
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

        return new FeedEntry(partition, FeedPosition.Parse(id.ToString()), storageKey ?? [], kind, version);
    }

    /// <summary>Reads one entry from a raw XREAD reply (<c>[id, [field, value, ...]]</c>).</summary>
    public static FeedEntry Parse(int partition, RedisResult entry)
    {
        var parts = (RedisResult[])entry!;
        var fields = (RedisResult[])parts[1]!;
        var pairs = new NameValueEntry[fields.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new NameValueEntry((RedisValue)fields[2 * i], (RedisValue)fields[(2 * i) + 1]);
        }

        return Parse(partition, (RedisValue)parts[0], pairs);
    }
}
