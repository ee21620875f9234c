using System.Globalization;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>Members in Redis: one hash per member plus a sorted index for paging (see <see cref="RedisKeys"/>).</summary>
public sealed class MemberStore(IConnectionMultiplexer redis)
{
    private const char ListSeparator = ' ';

    // Gives a member its compact number once; numbers are never reused (a gap after a lost race is harmless).
    private const string EnsureNumberScript = """
        local n = redis.call('HGET', KEYS[1], 'num')
        if n then return tonumber(n) end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        n = redis.call('INCR', KEYS[2])
        redis.call('HSET', KEYS[1], 'num', n)
        redis.call('HSET', KEYS[3], n, ARGV[1])
        return n
        """;

    /// <summary>Creates the member unless one with the same id exists; returns false if it does.</summary>
    public async Task<bool> TryCreateAsync(MemberRecord member)
    {
        var key = RedisKeys.Member(member.Id);
        var db = redis.GetDatabase();
        var tx = db.CreateTransaction();
        tx.AddCondition(Condition.KeyNotExists(key));
        _ = tx.HashSetAsync(key, ToEntries(member));
        _ = tx.SortedSetAddAsync(RedisKeys.MemberIndex, member.Id, 0);
        if (!await tx.ExecuteAsync().ConfigureAwait(false))
        {
            return false;
        }

        await EnsureNumberAsync(member.Id).ConfigureAwait(false);
        return true;
    }

    /// <summary>The member's compact number, assigning one when it has none yet; 0 when the member does not exist.</summary>
    public async Task<long> EnsureNumberAsync(string memberId) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(
            EnsureNumberScript, [RedisKeys.Member(memberId), RedisKeys.MemberSequence, RedisKeys.MemberNumbers], [memberId]).ConfigureAwait(false);

    /// <summary>The member's compact number: the one it carries, or assigned now for a member created before numbers existed.</summary>
    public ValueTask<long> NumberOfAsync(MemberRecord member) =>
        member.Number > 0 ? ValueTask.FromResult(member.Number) : new ValueTask<long>(EnsureNumberAsync(member.Id));

    /// <summary>The ids of members by their compact numbers (null where a number names nobody).</summary>
    public async Task<string?[]> IdsOfNumbersAsync(IReadOnlyList<long> numbers)
    {
        if (numbers.Count == 0)
        {
            return [];
        }

        var values = await redis.GetDatabase().HashGetAsync(RedisKeys.MemberNumbers, numbers.Select(n => (RedisValue)n).ToArray()).ConfigureAwait(false);
        return values.Select(v => v.IsNull ? null : v.ToString()).ToArray();
    }

    /// <summary>Reads a member; null if unknown.</summary>
    public async Task<MemberRecord?> GetAsync(string memberId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(RedisKeys.Member(memberId)).ConfigureAwait(false);
        return entries.Length == 0 ? null : FromEntries(memberId, entries);
    }

    /// <summary>
    /// Overwrites a member and, when its status changed, tells every replica so they end the
    /// member's open streams at once.
    /// </summary>
    public async Task SaveAsync(MemberRecord member, bool statusChanged)
    {
        var db = redis.GetDatabase();
        await db.HashSetAsync(RedisKeys.Member(member.Id), ToEntries(member)).ConfigureAwait(false);
        if (statusChanged)
        {
            await db.PublishAsync(RedisKeys.MemberStatusChannel, member.Id).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Calls <paramref name="changed"/> with the id of every member whose status or groups change, on any replica
    /// (<see cref="RedisKeys.MemberStatusChannel"/>, published by <see cref="SaveAsync"/>). The subscription lasts as
    /// long as the connection; a message published while this replica is disconnected is lost (see <see cref="OnReconnected"/>).
    /// </summary>
    public Task SubscribeStatusChangesAsync(Action<string> changed) =>
        redis.GetSubscriber().SubscribeAsync(RedisKeys.MemberStatusChannel, (channel, memberId) => changed(memberId.ToString()));

    /// <summary>
    /// Calls <paramref name="restored"/> whenever the connection to Redis comes back, when status changes published
    /// meanwhile may have been missed; disposing the result stops the calls.
    /// </summary>
    public IDisposable OnReconnected(Action restored)
    {
        void Handler(object? sender, ConnectionFailedEventArgs e) => restored();
        redis.ConnectionRestored += Handler;
        return new Unsubscriber(() => redis.ConnectionRestored -= Handler);
    }

    /// <summary>Member ids after <paramref name="afterId"/> in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(string afterId, int count)
    {
        // default(RedisValue) is "-"/"+" (unbounded); Exclude.Start makes the page start after afterId.
        var ids = await redis.GetDatabase().SortedSetRangeByValueAsync(
            RedisKeys.MemberIndex, afterId.Length == 0 ? default : (RedisValue)afterId, default, Exclude.Start, Order.Ascending, 0, count).ConfigureAwait(false);
        return ids.Select(v => v.ToString()).ToArray();
    }

    /// <summary>
    /// The members after <paramref name="afterId"/> in ordinal id order, at most <paramref name="count"/>, read in one
    /// pipelined round trip, and the id to continue after (empty at the end). Ids whose record vanished are skipped.
    /// </summary>
    public async Task<(IReadOnlyList<MemberRecord> Members, string LastId)> ListAsync(string afterId, int count)
    {
        var ids = await ListIdsAsync(afterId, count).ConfigureAwait(false);
        var db = redis.GetDatabase();
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Member(id))).ToArray();
        var members = new List<MemberRecord>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            var entries = await reads[i].ConfigureAwait(false);
            if (entries.Length > 0)
            {
                members.Add(FromEntries(ids[i], entries));
            }
        }

        return (members, ids.Count == 0 ? "" : ids[^1]);
    }

    /// <summary>Number of members ever created.</summary>
    public async Task<long> CountAsync() =>
        await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.MemberIndex).ConfigureAwait(false);

    private static HashEntry[] ToEntries(MemberRecord m) =>
    [
        new("name", m.DisplayName),
        new("status", (int)m.Status),
        new("scopes", string.Join(ListSeparator, m.Scopes)),
        new("groups", string.Join(ListSeparator, m.Groups)),
        new("created", m.CreatedAt.ToUnixTimeMilliseconds()),
        new("updated", m.UpdatedAt.ToUnixTimeMilliseconds()),
        new("creds", m.CredentialsIssuedAt.ToUnixTimeMilliseconds()),
        new("reason", m.StatusReason),
        new("secret", m.SecretHash),
        .. m.Number > 0 ? [new HashEntry("num", m.Number)] : Array.Empty<HashEntry>(),
    ];

    private static MemberRecord FromEntries(string id, HashEntry[] entries)
    {
        var map = entries.ToDictionary(e => e.Name.ToString(), e => e.Value);
        string Text(string name) => map.TryGetValue(name, out var v) ? v.ToString() : "";
        DateTimeOffset Time(string name) => DateTimeOffset.FromUnixTimeMilliseconds(
            long.Parse(Text(name) is { Length: > 0 } t ? t : "0", CultureInfo.InvariantCulture));
        string[] List(string name) => Text(name).Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries);

        return new MemberRecord(
            id,
            Text("name"),
            (MemberStatusCode)int.Parse(Text("status"), CultureInfo.InvariantCulture),
            List("scopes"),
            List("groups"),
            Time("created"),
            Time("updated"),
            Time("creds"),
            Text("reason"),
            Text("secret"))
        {
            Number = long.TryParse(Text("num"), CultureInfo.InvariantCulture, out var number) ? number : 0,
        };
    }

    private sealed class Unsubscriber(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
