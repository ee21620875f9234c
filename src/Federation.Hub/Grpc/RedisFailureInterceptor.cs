using System.Globalization;
using Federation.Hub.Pdq;
using Federation.Hub.Storage;
using Grpc.Core;

namespace Federation.Hub.Grpc;

/// <summary>
/// Turns a store failure (<see cref="StoreFailures"/>: Redis down, timing out, loading, failing over) or a replica
/// whose PDQ index is still loading into UNAVAILABLE with a <c>retry-after-ms</c> trailer (retryable, says what is
/// wrong) instead of UNKNOWN, so clients back off and retry while the multiplexer reconnects by itself.
/// </summary>
public sealed class RedisFailureInterceptor(ILogger<RedisFailureInterceptor> logger) : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (PdqIndexLoadingException e)
        {
            throw Unavailable(e.Message);
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e))
        {
            logger.LogWarning("Store unavailable during {Method}: {Error}", context.Method, e.Message);
            throw Unavailable("The hub's store (Redis) is unavailable; retry with backoff (trailer retry-after-ms).");
        }
    }

    /// <summary>UNAVAILABLE with the message and the <c>retry-after-ms</c> trailer.</summary>
    public static RpcException Unavailable(string message) =>
        new(new Status(StatusCode.Unavailable, message), new Metadata
        {
            { "retry-after-ms", ((long)StoreFailures.RetryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) },
        });
}
