using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The token endpoint's limits on attempts, shared by every replica: per source address over all client ids, per
/// client id, and per client id and source (see <see cref="TokenThrottleOptions"/>). An attempt is charged before its
/// secret is verified, in one script call per hash tag, so parallel guessing cannot outrun the limits; a right
/// secret gives it back and marks the source as known for the client id, which exempts that source from the
/// per-client-id limit.
/// </summary>
public sealed class TokenThrottleStore(IConnectionMultiplexer redis, IOptions<FederationOptions> options, TimeProvider clock)
{
    /// <summary>What the per-source limit is called in refusals and the audit.</summary>
    public const string SourceLimit = "source";

    /// <summary>What the per-client-id-and-source limit is called.</summary>
    public const string SourceClientLimit = "client-id-and-source";

    /// <summary>What the per-client-id limit is called.</summary>
    public const string ClientLimit = "client-id";

    private static readonly string ReserveScript = LuaScripts.Load("token_reserve.lua");
    private static readonly string RefundScript = LuaScripts.Load("token_refund.lua");
    private readonly TokenThrottleOptions throttle = options.Value.Tokens.Throttle;

    /// <summary>
    /// Charges one attempt of <paramref name="clientId"/> (null: a client id that cannot name a member, charged to
    /// the source only) from <paramref name="source"/>, or says which limit refuses it and for how long.
    /// </summary>
    public async Task<TokenAttempt> ReserveAsync(string? clientId, string source)
    {
        var db = redis.GetDatabase();
        var now = Now();
        var bySource = await ReserveAsync(db, now,
            [RedisKeys.TokenSourceRefusalNote(source), RedisKeys.TokenSourceRefusalNote(source), RedisKeys.TokenSourceLimit(source)],
            exempt: 0, [(throttle.SourceBurst, throttle.SourceInterval)]).ConfigureAwait(false);
        if (bySource.Refused)
        {
            return new TokenAttempt(clientId, source, false, 0, SourceLimit, bySource.Wait, bySource.Noted);
        }

        if (clientId is null)
        {
            return new TokenAttempt(clientId, source, true, 0, null, TimeSpan.Zero, false);
        }

        var byClient = await ReserveAsync(db, now,
            [
                RedisKeys.TokenClientRefusalNote(clientId, source), RedisKeys.TokenKnownSource(clientId, source),
                RedisKeys.TokenSourceClientLimit(clientId, source), RedisKeys.TokenClientLimit(clientId),
            ],
            exempt: 2, [(throttle.SourceClientBurst, throttle.SourceClientInterval), (throttle.ClientBurst, throttle.ClientInterval)]).ConfigureAwait(false);
        if (byClient.Refused)
        {
            // Not verified, so it does not count against the source: a throttled client id is no reason to slow the
            // other client ids behind the same address.
            await RefundAsync(db, now, [RedisKeys.TokenSourceLimit(source)], [throttle.SourceInterval], known: null).ConfigureAwait(false);
            return new TokenAttempt(clientId, source, false, 0, byClient.Index == 1 ? SourceClientLimit : ClientLimit, byClient.Wait, byClient.Noted);
        }

        return new TokenAttempt(clientId, source, true, byClient.Mask, null, TimeSpan.Zero, false);
    }

    /// <summary>The attempt presented the right secret: give back what it was charged and remember its source as known.</summary>
    public async Task SucceededAsync(TokenAttempt attempt)
    {
        var db = redis.GetDatabase();
        var now = Now();
        if (attempt.SourceCharged)
        {
            await RefundAsync(db, now, [RedisKeys.TokenSourceLimit(attempt.Source)], [throttle.SourceInterval], known: null).ConfigureAwait(false);
        }

        if (attempt.ClientId is { } clientId)
        {
            var keys = new List<RedisKey>(3);
            var intervals = new List<TimeSpan>(2);
            if ((attempt.ClientMask & 1) != 0)
            {
                keys.Add(RedisKeys.TokenSourceClientLimit(clientId, attempt.Source));
                intervals.Add(throttle.SourceClientInterval);
            }

            if ((attempt.ClientMask & 2) != 0)
            {
                keys.Add(RedisKeys.TokenClientLimit(clientId));
                intervals.Add(throttle.ClientInterval);
            }

            await RefundAsync(db, now, [.. keys], [.. intervals], RedisKeys.TokenKnownSource(clientId, attempt.Source)).ConfigureAwait(false);
        }
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<(bool Refused, TimeSpan Wait, int Index, bool Noted, long Mask)> ReserveAsync(
        IDatabase db, long now, RedisKey[] keys, int exempt, (int Burst, TimeSpan Interval)[] limits)
    {
        var args = new RedisValue[3 + (2 * limits.Length)];
        args[0] = now;
        args[1] = (long)throttle.RefusalAuditInterval.TotalMilliseconds;
        args[2] = exempt;
        for (var i = 0; i < limits.Length; i++)
        {
            args[3 + (2 * i)] = limits[i].Burst;
            args[4 + (2 * i)] = (long)limits[i].Interval.TotalMilliseconds;
        }

        var result = (RedisResult[])(await db.ScriptEvaluateAsync(ReserveScript, keys, args).ConfigureAwait(false))!;
        return (int)result[0] == 1
            ? (true, TimeSpan.FromMilliseconds((long)result[1]), (int)result[2], (int)result[3] == 1, 0)
            : (false, TimeSpan.Zero, 0, false, (long)result[1]);
    }

    private async Task RefundAsync(IDatabase db, long now, RedisKey[] limits, TimeSpan[] intervals, RedisKey? known)
    {
        var keys = known is { } marker ? [.. limits, marker] : limits.ToArray();
        var args = new RedisValue[2 + intervals.Length];
        args[0] = now;
        args[1] = known is null ? 0 : (long)throttle.KnownSourceRetention.TotalMilliseconds;
        for (var i = 0; i < intervals.Length; i++)
        {
            args[2 + i] = (long)intervals[i].TotalMilliseconds;
        }

        await db.ScriptEvaluateAsync(RefundScript, keys, args).ConfigureAwait(false);
    }
}
