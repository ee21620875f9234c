using Federation.Hub.Pdq;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Grpc;

/// <summary>
/// Turns a Redis outage (or a replica whose PDQ index is still loading) into UNAVAILABLE (retryable, says what is wrong) instead of UNKNOWN, so
/// clients back off and retry while the multiplexer reconnects by itself.
/// </summary>
public sealed class RedisFailureInterceptor(ILogger<RedisFailureInterceptor> logger) : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Unavailable(e);
        }
    }

    private static bool IsStoreFailure(Exception e) =>
        e is RedisConnectionException or RedisTimeoutException or ObjectDisposedException { ObjectName: "ConnectionMultiplexer" } or PdqIndexLoadingException;

    private RpcException Unavailable(Exception e)
    {
        if (e is PdqIndexLoadingException)
        {
            return new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }

        logger.LogWarning("Redis unavailable: {Message}", e.Message);
        return new RpcException(new Status(StatusCode.Unavailable, "The hub's store (Redis) is unavailable; retry with backoff."));
    }
}
