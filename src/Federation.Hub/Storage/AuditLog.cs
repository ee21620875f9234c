using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The tamper-evident audit log: a Redis stream whose entries form a SHA-256 hash chain. Each
/// entry's hash covers the previous hash and all of its own fields, so editing or deleting any
/// entry breaks every later hash. Entries hold counts and ids, never secrets or submitted values.
/// </summary>
public sealed class AuditLog(IConnectionMultiplexer redis, TimeProvider clock)
{
    private static readonly string AppendScript = LuaScripts.Load("audit_append.lua");

    /// <summary>Appends an entry; safe to call concurrently from any replica.</summary>
    public async Task<AuditEntry> AppendAsync(string actor, string action, string subject, string detail)
    {
        var db = redis.GetDatabase();
        var head = await db.HashGetAsync(RedisKeys.AuditHead, ["seq", "hash"]).ConfigureAwait(false);
        var seq = head[0].IsNull ? 0L : (long)head[0];
        var previous = head[1].IsNull ? "" : head[1].ToString();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var entry = Seal(seq + 1, clock.GetUtcNow(), actor, action, subject, detail, previous);
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(
                AppendScript,
                [RedisKeys.AuditHead, RedisKeys.AuditLog],
                [
                    previous, entry.Sequence, entry.Hash,
                    "time", entry.Time.ToUnixTimeMilliseconds(), "actor", actor, "action", action,
                    "subject", subject, "detail", detail, "prev", previous, "hash", entry.Hash,
                ]).ConfigureAwait(false))!;
            if ((int)result[0] == 1)
            {
                return entry;
            }

            // Another replica appended first: chain onto its entry instead.
            seq = (long)result[1];
            previous = result[2].ToString();
        }

        throw new InvalidOperationException("The audit log is under too much contention to append.");
    }

    /// <summary>Reads entries with sequence greater than <paramref name="afterSequence"/>, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long afterSequence, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(
            RedisKeys.AuditLog, $"({afterSequence}-1", "+", count).ConfigureAwait(false);
        var result = new List<AuditEntry>(entries.Length);
        foreach (var e in entries)
        {
            var id = e.Id.ToString();
            result.Add(new AuditEntry(
                long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture),
                DateTimeOffset.FromUnixTimeMilliseconds((long)e["time"]),
                e["actor"].ToString(),
                e["action"].ToString(),
                e["subject"].ToString(),
                e["detail"].ToString(),
                e["prev"].ToString(),
                e["hash"].ToString()));
        }

        return result;
    }

    /// <summary>Number of entries in the log.</summary>
    public async Task<long> CountAsync() =>
        await redis.GetDatabase().StreamLengthAsync(RedisKeys.AuditLog).ConfigureAwait(false);

    /// <summary>True when the entry's hash matches its fields and previous hash.</summary>
    public static bool Verify(AuditEntry entry) =>
        Seal(entry.Sequence, entry.Time, entry.Actor, entry.Action, entry.Subject, entry.Detail, entry.PreviousHash).Hash == entry.Hash;

    private static AuditEntry Seal(long seq, DateTimeOffset time, string actor, string action, string subject, string detail, string previous)
    {
        // Truncate to milliseconds: that is what the stream stores and what verification re-hashes.
        time = DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
        var canonical = new StringBuilder();
        foreach (var part in new[]
        {
            previous, seq.ToString(CultureInfo.InvariantCulture),
            time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), actor, action, subject, detail,
        })
        {
            // Length-prefixed so that no two different entries serialize alike.
            canonical.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append(';');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
        return new AuditEntry(seq, time, actor, action, subject, detail, previous, hash);
    }
}
