using Federation.Hub.Domain;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Grpc.Core;

namespace Federation.Hub.Grpc;

/// <summary>
/// The one place failures become gRPC statuses: a domain refusal (<see cref="HubException"/>) becomes its status
/// (<see cref="RpcErrors.From"/>); a store failure (<see cref="StoreFailures"/>: Redis down, timing out, loading,
/// failing over) or a replica that cannot answer yet (<see cref="ReplicaNotReadyException"/>) becomes UNAVAILABLE with
/// a <c>retry-after-ms</c> trailer (retryable, says what is wrong) instead of UNKNOWN, so clients back off and retry
/// while the multiplexer reconnects by itself.
/// </summary>
public sealed class FailureStatusInterceptor(ILogger<FailureStatusInterceptor> logger, HubMetrics metrics) : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HubException e)
        {
            throw RpcErrors.From(e);
        }
        catch (ReplicaNotReadyException e)
        {
            throw Unavailable(e.Message);
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e))
        {
            metrics.StoreFailed(context.Method);
            LogThrottled(context.Method, e);
            throw Unavailable(StoreUnavailableMessage(context.Method));
        }
    }

    // During an outage every call fails here, thousands a second: one warning per LogInterval (with the number of
    // calls refused since the last one) says what is wrong without flooding the log; the rest go to Debug.
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);
    private static long lastWarning;
    private static long refusedSinceWarning;

    private void LogThrottled(string method, Exception e)
    {
        var refused = Interlocked.Increment(ref refusedSinceWarning);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastWarning);
        if (now - last >= LogInterval.TotalMilliseconds && Interlocked.CompareExchange(ref lastWarning, now, last) == last)
        {
            Interlocked.Exchange(ref refusedSinceWarning, 0);
            logger.LogWarning("Store unavailable during {Method}: {Error} ({Refused} call(s) refused with UNAVAILABLE since the last warning)", method, e.Message, refused);
        }
        else
        {
            logger.LogDebug("Store unavailable during {Method}: {Error}", method, e.Message);
        }
    }

    /// <summary>What a caller of <paramref name="method"/> should do when the store is unavailable.</summary>
    public static string StoreUnavailableMessage(string method)
    {
        const string Unavailable = "The hub's store (Redis) is unavailable (restarting, loading its data or failing over)";
        if (method.EndsWith("/SubmitStream", StringComparison.Ordinal))
        {
            return Unavailable + "; every batch acknowledged on this stream is stored. After the retry-after-ms delay, open a new stream "
                + "and resend the batches not acknowledged, with their same request_id (a batch already stored is answered as replayed, never counted twice).";
        }

        if (method.EndsWith("/Subscribe", StringComparison.Ordinal))
        {
            return Unavailable + "; after the retry-after-ms delay, resubscribe with start CURSOR and the last cursor you received (no gap, no repeat).";
        }

        return Unavailable + "; retry after the retry-after-ms delay, with backoff (a Submit with the same request_id is never counted twice).";
    }

    /// <summary>UNAVAILABLE with the message and the <c>retry-after-ms</c> trailer.</summary>
    public static RpcException Unavailable(string message) =>
        new(new Status(StatusCode.Unavailable, message), GrpcResponses.RetryAfter(StoreFailures.RetryAfter));
}
