using Federation.Hub.Domain;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Admission of submit batches, shared by all replicas: request-id replay and the per-member token bucket, in one
/// script call (both keys carry the member's hash tag).
/// </summary>
public sealed class SignalAdmissionStore(IConnectionMultiplexer redis, IOptions<FederationOptions> options, TimeProvider clock)
{
    private static readonly string AdmitScript = LuaScripts.Load("signal_admit.lua");
    private readonly SignalOptions signals = options.Value.Signals;

    /// <summary>Checks for a remembered response of this request id, otherwise charges <paramref name="items"/> tokens.</summary>
    public async Task<SignalAdmission> AdmitAsync(string memberId, string requestId, int items)
    {
        var rate = signals.RateLimitPerSecond;
        var capacity = Math.Max(rate, signals.MaxBatchSize);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            AdmitScript,
            [RedisKeys.SubmitRateLimit(memberId), RedisKeys.SubmitRequest(memberId, requestId)],
            [items, rate, capacity, clock.GetUtcNow().ToUnixTimeMilliseconds()]).ConfigureAwait(false))!;
        return (int)result[0] switch
        {
            1 => new SignalAdmission(SubmissionResultCodec.Decode((byte[])result[1]!), null),
            2 => new SignalAdmission(null, TimeSpan.FromMilliseconds((long)result[1])),
            _ => new SignalAdmission(null, null),
        };
    }

    /// <summary>
    /// Remembers a batch's answer (<see cref="SubmissionResultCodec"/>: outcomes and refusals, no ids) for <see cref="SignalOptions.RequestIdRetention"/>. When a concurrent duplicate
    /// remembered one first, returns that one (the caller answers with it, so both calls agree).
    /// </summary>
    public async Task<SubmissionResult?> RememberAsync(string memberId, string requestId, SubmissionResult result)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.SubmitRequest(memberId, requestId);
        if (await db.StringSetAsync(key, SubmissionResultCodec.Encode(result), signals.RequestIdRetention, When.NotExists).ConfigureAwait(false))
        {
            return null;
        }

        var earlier = await db.StringGetAsync(key).ConfigureAwait(false);
        return earlier.IsNull ? null : SubmissionResultCodec.Decode((byte[])earlier!);
    }
}

/// <summary>What admission decided: a remembered response to replay, a wait before retrying, or neither (go ahead).</summary>
public sealed record SignalAdmission(SubmissionResult? Replay, TimeSpan? RetryAfter);
