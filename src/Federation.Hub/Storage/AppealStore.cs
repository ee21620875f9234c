using System.Globalization;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Appeal propagation in Redis (docs/governance.md): members' recorded actions per record, the records owing overturn
/// notices (marked by the scripts that overturn or retract them, atomically with the change), and each member's notice
/// stream, written once per notice whichever replica writes it.
/// </summary>
public sealed class AppealStore(IConnectionMultiplexer redis, SignalStore signals, IOptions<FederationOptions> options, TimeProvider clock)
{
    /// <summary>Most actions one member may record on one record.</summary>
    public const int MaxActionsPerMember = 32;

    private static readonly string ActionScript = SignalStore.WithRecord("signal_action.lua");
    private static readonly string NoticeScript = LuaScripts.Load("notice_write.lua");
    private static readonly string DoneScript = LuaScripts.Load("appeal_done.lua");
    private readonly GovernanceOptions governance = options.Value.Governance;

    /// <summary>Records a member's action; the code says whether it was new, known, or refused (and why).</summary>
    public async Task<(ActionRecordCode Code, SignalRecord? Record, IReadOnlyList<StoredAction> Actions)> RecordActionAsync(
        int partition, byte[] storageKey, long memberNumber, int kind, string reference)
    {
        var result = (RedisResult[])(await signals.EvaluateOnRecordAsync(
            ActionScript,
            partition,
            storageKey,
            [default, RedisKeys.SignalActions(partition, storageKey)],
            [storageKey, memberNumber, kind, reference, clock.GetUtcNow().ToUnixTimeSeconds(), MaxActionsPerMember],
            bucketIndex: 0).ConfigureAwait(false))!;
        var code = (ActionRecordCode)(int)result[0];
        var record = await signals.DecodeResultAsync(partition, storageKey, result).ConfigureAwait(false);
        return (code, record, result.Length > 2 ? StoredAction.Parse((string)result[2]!) : []);
    }

    /// <summary>The records of one partition owing notices: storage key and mark (<c>cause|at|reason</c>).</summary>
    public async Task<IReadOnlyList<(byte[] StorageKey, string Mark)>> PendingAsync(int partition) =>
        (await redis.GetDatabase().HashGetAllAsync(RedisKeys.PendingAppeals(partition)).ConfigureAwait(false))
            .Select(e => ((byte[])e.Name!, e.Value.ToString()))
            .ToList();

    /// <summary>Every member's actions on one record: member number → actions.</summary>
    public async Task<IReadOnlyList<(long Member, IReadOnlyList<StoredAction> Actions)>> ActionsAsync(int partition, byte[] storageKey) =>
        (await redis.GetDatabase().HashGetAllAsync(RedisKeys.SignalActions(partition, storageKey)).ConfigureAwait(false))
            .Select(e => ((long)e.Name, StoredAction.Parse(e.Value.ToString())))
            .ToList();

    /// <summary>Members that recorded an action on one record.</summary>
    public async Task<long> ActingMembersAsync(int partition, byte[] storageKey) =>
        await redis.GetDatabase().HashLengthAsync(RedisKeys.SignalActions(partition, storageKey)).ConfigureAwait(false);

    /// <summary>Writes one notice to a member's stream unless it was written before (<paramref name="name"/> names it); true when written.</summary>
    public async Task<bool> WriteNoticeAsync(string memberId, string name, StoredNotice notice)
    {
        var retention = governance.NoticeRetention;
        RedisValue[] args =
        [
            (long)Math.Ceiling(retention.TotalSeconds),
            (clock.GetUtcNow() - retention).ToUnixTimeMilliseconds(),
            "s", notice.StorageKey,
            "c", notice.Cause,
            "a", notice.At.ToUnixTimeSeconds(),
            "r", notice.Reason,
            "x", StoredAction.Pack(notice.Actions),
        ];
        return (int)await redis.GetDatabase().ScriptEvaluateAsync(
            NoticeScript, [RedisKeys.NoticeMark(memberId, name), RedisKeys.NoticeStream(memberId)], args).ConfigureAwait(false) == 1;
    }

    /// <summary>Forgets a record owing notices once they are written, unless it was marked again since <paramref name="mark"/>.</summary>
    public Task DoneAsync(int partition, byte[] storageKey, string mark) =>
        redis.GetDatabase().ScriptEvaluateAsync(DoneScript, [RedisKeys.PendingAppeals(partition)], [storageKey, mark]);

    /// <summary>A member's notices after <paramref name="afterId"/> (a stream id; "0" for all), oldest first.</summary>
    public async Task<IReadOnlyList<StoredNotice>> ReadNoticesAsync(string memberId, string afterId, int count) =>
        (await redis.GetDatabase().StreamRangeAsync(RedisKeys.NoticeStream(memberId), "(" + afterId, "+", count).ConfigureAwait(false))
            .Select(e => new StoredNotice(
                e.Id.ToString(),
                (byte[])e["s"]!,
                (int)e["c"],
                DateTimeOffset.FromUnixTimeSeconds((long)e["a"]),
                e["r"].ToString(),
                StoredAction.Parse(e["x"].ToString())))
            .ToList();
}

/// <summary>What <see cref="AppealStore.RecordActionAsync"/> did.</summary>
public enum ActionRecordCode
{
    /// <summary>The member has recorded <see cref="AppealStore.MaxActionsPerMember"/> actions on the record already.</summary>
    TooMany = -3,

    /// <summary>The record is retracted, expired or overturned.</summary>
    NotActive = -2,

    /// <summary>No such record.</summary>
    NotFound = -1,

    /// <summary>The same kind and reference were recorded before.</summary>
    Known = 0,

    /// <summary>Recorded.</summary>
    Recorded = 1,
}

/// <summary>One recorded action as stored: the proto's ActionKind value, the member's reference, when it was recorded.</summary>
public sealed record StoredAction(int Kind, string Reference, DateTimeOffset RecordedAt)
{
    /// <summary>Parses a member's packed actions (signal_action.lua: per action '\x1e' kind '\x1f' reference '\x1f' unix seconds).</summary>
    public static IReadOnlyList<StoredAction> Parse(string packed)
    {
        var actions = new List<StoredAction>();
        foreach (var item in packed.Split('\x1e', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split('\x1f');
            if (parts.Length == 3)
            {
                actions.Add(new StoredAction(
                    int.Parse(parts[0], CultureInfo.InvariantCulture),
                    parts[1],
                    DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts[2], CultureInfo.InvariantCulture))));
            }
        }

        return actions;
    }

    /// <summary>Packs actions as <see cref="Parse"/> reads them.</summary>
    public static string Pack(IEnumerable<StoredAction> actions) =>
        string.Concat(actions.Select(a => $"\x1e{a.Kind.ToString(CultureInfo.InvariantCulture)}\x1f{a.Reference}\x1f{a.RecordedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"));
}
