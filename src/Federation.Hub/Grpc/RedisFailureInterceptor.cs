using Federation.Hub.Pdq;
using Grpc.Core;
using Grpc.Core.Interceptors;
using StackExchange.Redis;

namespace Federation.Hub.Grpc;

/// <summary>
/// Turns a Redis outage (or a replica whose PDQ index is still loading) into UNAVAILABLE (retryable, says what is wrong) instead of UNKNOWN, so
/// clients back off and retry while the multiplexer reconnects by itself.
/// </summary>
public sealed class RedisFailureInterceptor(ILogger<RedisFailureInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Unavailable(e);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Unavailable(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw Unavailable(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
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
