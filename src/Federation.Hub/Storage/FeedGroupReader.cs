using Federation.Core.Feed;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Blocking reads of one slot group of partition streams (<c>XREAD COUNT n BLOCK ms STREAMS ...</c>) on a connection
/// this reader owns, parsed into <see cref="FeedEntry"/> batches. Opened by <see cref="FeedStreamReader.ConnectAsync"/>.
/// </summary>
/// <remarks>
/// The reader keeps no position: the caller passes where each partition was read up to and advances it only after it
/// has handled the batches, so a failed step (a record fetch during a Redis restart) reads the same entries again.
/// Errors of the store client propagate (<see cref="StoreFailures.IsStoreError"/> recognises them).
/// </remarks>
public sealed class FeedGroupReader : IDisposable
{
    /// <summary>Entries per partition one read returns at most.</summary>
    public const int BatchSize = 512;

    private readonly ConnectionMultiplexer connection;
    private readonly RedisKey[] keys;
    private readonly Dictionary<string, int> indexOfKey = new(StringComparer.Ordinal);

    internal FeedGroupReader(ConnectionMultiplexer connection, int[] partitions)
    {
        this.connection = connection;
        Partitions = partitions;
        keys = partitions.Select(p => RedisKeys.Feed(p)).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            indexOfKey[keys[i].ToString()] = i;
        }
    }

    /// <summary>The partitions this reader follows, in the order of the positions <see cref="ReadAsync"/> takes.</summary>
    public int[] Partitions { get; }

    /// <summary>
    /// Waits up to <see cref="FeedStreamReader.BlockTime"/> for entries after <paramref name="after"/> (one position per
    /// entry of <see cref="Partitions"/>) and returns them, one non-empty batch per partition that had any, oldest first;
    /// empty when the block timed out. Entries are numbered on from each position's ordinal: XREAD returns every entry
    /// after the last id (the tail stays far within MAXLEN), so ordinals count on.
    /// </summary>
    public async Task<List<FeedEntry[]>> ReadAsync(FeedPosition[] after, CancellationToken cancellationToken)
    {
        var args = new List<object>(5 + (2 * keys.Length)) { "COUNT", BatchSize, "BLOCK", (long)FeedStreamReader.BlockTime.TotalMilliseconds, "STREAMS" };
        args.AddRange(keys.Cast<object>());
        args.AddRange(after.Select(id => (object)id.ToString()));
        var reply = await connection.GetDatabase().ExecuteAsync("XREAD", args).WaitAsync(cancellationToken).ConfigureAwait(false);
        var batches = new List<FeedEntry[]>();
        if (reply.IsNull)
        {
            return batches; // BLOCK timed out: nothing new.
        }

        foreach (var (key, value) in Streams(reply))
        {
            var index = indexOfKey[key];
            var raw = (RedisResult[])value!;
            var entries = new FeedEntry[raw.Length];
            var ordinal = after[index].Ordinal;
            for (var i = 0; i < raw.Length; i++)
            {
                entries[i] = FeedStreamStore.Parse(Partitions[index], raw[i], ++ordinal);
            }

            if (entries.Length > 0)
            {
                batches.Add(entries);
            }
        }

        return batches;
    }

    public void Dispose() => connection.Dispose();

    // XREAD answers a map (RESP3: flat key, value, ...) or an array of [key, entries] pairs (RESP2).
    private static IEnumerable<(string Key, RedisResult Entries)> Streams(RedisResult reply)
    {
        var items = (RedisResult[])reply!;
        if (reply.Resp3Type == ResultType.Map)
        {
            for (var i = 0; i + 1 < items.Length; i += 2)
            {
                yield return ((string)items[i]!, items[i + 1]);
            }

            yield break;
        }

        foreach (var stream in items)
        {
            var pair = (RedisResult[])stream!;
            yield return ((string)pair[0]!, pair[1]);
        }
    }
}
