using Federation.Core.Feed;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Reads of one slot group of partition streams (<c>XREAD COUNT n [BLOCK ms] STREAMS ...</c>), parsed into
/// <see cref="FeedEntry"/> batches. On a single Redis it is the whole tail: it blocks, on a connection it owns. On Redis
/// Cluster <see cref="FeedBellReader"/> holds one per slot and asks it, without blocking, on the shared multiplexer.
/// </summary>
public sealed class FeedGroupReader : FeedTailReader
{
    /// <summary>Entries per partition one read returns at most.</summary>
    public const int BatchSize = 512;

    private readonly IConnectionMultiplexer connection;
    private readonly bool ownsConnection;
    private readonly TimeSpan? block;
    private readonly RedisKey[] keys;
    private readonly Dictionary<string, int> indexOfKey = new(StringComparer.Ordinal);

    /// <param name="connection">Where to read; disposed with this reader when <paramref name="ownsConnection"/>.</param>
    /// <param name="partitions">Partitions of one hash slot (or every partition on a single Redis).</param>
    /// <param name="block">How long one read blocks on the server; null for a read that answers at once.</param>
    /// <param name="ownsConnection">Whether this reader's connection is its own (a blocked read holds its socket).</param>
    internal FeedGroupReader(IConnectionMultiplexer connection, int[] partitions, TimeSpan? block, bool ownsConnection)
    {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.block = block;
        Partitions = partitions;
        keys = partitions.Select(p => RedisKeys.Feed(p)).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            indexOfKey[keys[i].ToString()] = i;
        }
    }

    /// <inheritdoc/>
    public override int[] Partitions { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// Entries are numbered on from each position's ordinal: XREAD returns every entry after the last id (the tail stays
    /// far within MAXLEN), so ordinals count on.
    /// </remarks>
    public override async Task<List<FeedEntry[]>> ReadAsync(FeedPosition[] after, CancellationToken cancellationToken)
    {
        var args = new List<object>(5 + (2 * keys.Length)) { "COUNT", BatchSize };
        if (block is { } wait)
        {
            args.Add("BLOCK");
            args.Add((long)wait.TotalMilliseconds);
        }

        args.Add("STREAMS");
        args.AddRange(keys.Cast<object>());
        args.AddRange(after.Select(id => (object)id.ToString()));
        var reply = await connection.GetDatabase().ExecuteAsync("XREAD", args).WaitAsync(cancellationToken).ConfigureAwait(false);
        var batches = new List<FeedEntry[]>();
        if (reply.IsNull)
        {
            return batches; // nothing new (BLOCK timed out, or a non-blocking read found nothing)
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

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsConnection)
        {
            connection.Dispose();
        }
    }

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
