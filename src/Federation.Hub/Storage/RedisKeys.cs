using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Every Redis key and channel the hub uses, built in one place. Braces are Redis Cluster hash
/// tags: keys that one script touches together share a tag so they live on one slot, and the
/// same code runs on a single Redis or a cluster.
/// </summary>
/// <remarks>
/// Layout:
/// <list type="bullet">
/// <item><c>fed:{m}:member:&lt;id&gt;</c> hash per member: name, status, scopes, groups, secret (salted PBKDF2 hash), timestamps, reason.</item>
/// <item><c>fed:{m}:members</c> sorted set (all scores 0) of member ids, for lexical paging.</item>
/// <item><c>fed:{a}:audit</c> stream: the audit log, entry id <c>&lt;sequence&gt;-1</c>.</item>
/// <item><c>fed:{a}:audit-head</c> hash: <c>seq</c> and <c>hash</c> of the newest audit entry (the chain head).</item>
/// <item><c>fed:member-status</c> pub/sub channel: a member id whose status changed, so every replica ends its streams at once.</item>
/// </list>
/// </remarks>
public static class RedisKeys
{
    /// <summary>Hash of one member.</summary>
    public static RedisKey Member(string memberId) => $"fed:{{m}}:member:{memberId}";

    /// <summary>Sorted set of all member ids.</summary>
    public static readonly RedisKey MemberIndex = "fed:{m}:members";

    /// <summary>The audit log stream.</summary>
    public static readonly RedisKey AuditLog = "fed:{a}:audit";

    /// <summary>The audit chain head (newest sequence and hash).</summary>
    public static readonly RedisKey AuditHead = "fed:{a}:audit-head";

    /// <summary>The feed stream of one signal partition, <c>fed:{pNN}:feed</c> (written by the signal scripts).</summary>
    public static RedisKey Feed(int partition) => $"fed:{{p{partition:D2}}}:feed";

    /// <summary>Channel announcing member status changes.</summary>
    public static readonly RedisChannel MemberStatusChannel = RedisChannel.Literal("fed:member-status");
}
