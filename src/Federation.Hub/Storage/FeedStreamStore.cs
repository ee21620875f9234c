using Federation.Contracts.V1;
using Federation.Core.Feed;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The partition feed streams (<see cref="RedisKeys.Feed"/>) on the shared multiplexer: <c>XINFO STREAM</c> for heads
/// and the retention check, <c>XRANGE</c> for catch-up, <c>XTRIM MINID</c> for retention, and the entry format the
/// signal scripts write. The Feed side reads and trims through this store, so the stream layout and the Redis client
/// stay in Storage/ (the feed tail's blocking reads on their own connections are in <see cref="FeedStreamReader"/>).
/// </summary>
public sealed class FeedStreamStore(IConnectionMultiplexer redis)
{
    /// <summary>
    /// The partition's stream as <c>XINFO STREAM</c> reports it (its fields read atomically), or null when the stream
    /// does not exist yet. Calls for several partitions started before any is awaited share one pipelined round trip.
    /// </summary>
    public async Task<FeedStreamInfo?> InfoAsync(int partition)
    {
        try
        {
            var info = await redis.GetDatabase().StreamInfoAsync(RedisKeys.Feed(partition)).ConfigureAwait(false);
            return new FeedStreamInfo(
                info.LastGeneratedId.ToString(),
                info.EntriesAdded,
                info.Length,
                info.MaxDeletedEntryId.IsNull ? null : info.MaxDeletedEntryId.ToString());
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
    }

    /// <summary>
    /// Entries strictly after <paramref name="after"/> up to and including <paramref name="upTo"/>, oldest first, at most
    /// <paramref name="count"/>, numbered on from <paramref name="after"/>'s ordinal (<c>XRANGE</c>).
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
    /// Removes the partition's entries with ids below <paramref name="minId"/> (<c>XTRIM MINID</c>); returns how many.
    /// Calls for several partitions started before any is awaited are pipelined.
    /// </summary>
    public Task<long> TrimBeforeAsync(int partition, string minId) =>
        // Exact (not "~"): retention is a promise to clients, and the cursor check relies on max-deleted-entry-id.
        redis.GetDatabase().StreamTrimByMinIdAsync(RedisKeys.Feed(partition), minId, useApproximateMaxLength: false);

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
    /// <remarks>
    /// Every replica's feed tail parses every entry, so this reads the reply's bytes in place: no field-name strings,
    /// no name/value pairs and no id string (only the storage key is copied out, the entry keeps it).
    /// </remarks>
    public static FeedEntry Parse(int partition, RedisResult entry, ulong ordinal)
    {
        var parts = (RedisResult[])entry!;
        var fields = (RedisResult[])parts[1]!;
        byte[]? storageKey = null;
        var kind = UpdateKind.Unspecified;
        long version = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            var name = ((ReadOnlyMemory<byte>)(RedisValue)fields[i]).Span;
            var value = (RedisValue)fields[i + 1];
            if (name.SequenceEqual("s"u8))
            {
                storageKey = (byte[]?)value;
            }
            else if (name.SequenceEqual("k"u8))
            {
                kind = (UpdateKind)(int)value;
            }
            else if (name.SequenceEqual("v"u8))
            {
                version = (long)value;
            }
        }

        return new FeedEntry(partition, ParseId((RedisValue)parts[0], ordinal), storageKey ?? [], kind, version);
    }

    // A stream id ("ms-seq", at most 41 ASCII characters) read from the reply's bytes.
    private static FeedPosition ParseId(RedisValue id, ulong ordinal)
    {
        var bytes = ((ReadOnlyMemory<byte>)id).Span;
        Span<char> text = stackalloc char[48];
        if (bytes.Length > text.Length)
        {
            throw new FormatException($"A {bytes.Length}-byte stream id is not a Redis stream id.");
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            text[i] = (char)bytes[i];
        }

        return FeedPosition.Parse(text[..bytes.Length], ordinal);
    }
}
