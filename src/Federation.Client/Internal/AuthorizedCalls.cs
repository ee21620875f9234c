using Federation.Client.Auth;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Federation.Client.Internal;

/// <summary>
/// Runs unary calls with a bearer token, renewing the token once when the hub answers
/// UNAUTHENTICATED, and retrying transient failures (UNAVAILABLE, DEADLINE_EXCEEDED, an unreachable
/// token endpoint) with exponential backoff and jitter through a Polly pipeline.
/// </summary>
internal sealed class AuthorizedCalls
{
    private readonly AccessTokenProvider tokens;
    private readonly ResiliencePipeline pipeline;
    private readonly TimeSpan? callTimeout;

    public AuthorizedCalls(AccessTokenProvider tokens, FederationClientOptions options, TimeProvider time, ILogger logger)
    {
        this.tokens = tokens;
        callTimeout = options.CallTimeout;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(IsTransient).Handle<HttpRequestException>(),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    logger.LogWarning(
                        "Transient failure ({Reason}); retry {Attempt} in {Delay}",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            });
        }

        pipeline = builder.Build();
    }

    /// <summary>The token source, shared with streaming calls.</summary>
    public AccessTokenProvider Tokens => tokens;

    /// <summary>Whether a status is worth retrying: the hub or the network may be back shortly.</summary>
    public static bool IsTransient(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    /// <summary>
    /// The next message of a long-lived stream: (true, null) when one arrived, (false, null) when the stream ended,
    /// (false, the failure) when it broke. Cancelling <paramref name="cancellationToken"/> throws instead.
    /// </summary>
    public static async Task<(bool Received, RpcException? Failure)> TryMoveNextAsync<T>(IAsyncStreamReader<T> stream, string what, CancellationToken cancellationToken)
    {
        try
        {
            return (await stream.MoveNext(cancellationToken).ConfigureAwait(false), null);
        }
        catch (RpcException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(what + " was cancelled", e, cancellationToken);
        }
        catch (RpcException e)
        {
            return (false, e);
        }
    }

    /// <summary>
    /// Whether a long-lived stream (Subscribe, WatchNotices) that ended with <paramref name="code"/> should be opened again
    /// after a delay: the hub or the path to it failed or shed load, rather than refusing the request.
    /// </summary>
    public static bool IsReconnectable(StatusCode code) => code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
        or StatusCode.Unknown or StatusCode.Aborted or StatusCode.Cancelled or StatusCode.ResourceExhausted;

    /// <summary>Runs <paramref name="call"/> (which must be idempotent) with authentication and retries.</summary>
    /// <exception cref="FederationException">The hub refused the call, or it still failed after the retries.</exception>
    public async Task<TResponse> UnaryAsync<TResponse>(Func<CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(
                static async (state, token) => await state.Self.AuthenticatedAsync(state.Call, token).ConfigureAwait(false),
                (Self: this, Call: call),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The SDK's exception for a failed call: cancellation by the caller as <see cref="OperationCanceledException"/>,
    /// a gRPC status or an unreachable token endpoint as <see cref="FederationException"/>; null to let others through.
    /// </summary>
    public static Exception? Translate(Exception e, CancellationToken cancellationToken) => e switch
    {
        RpcException when cancellationToken.IsCancellationRequested => new OperationCanceledException("the call was cancelled", e, cancellationToken),
        RpcException rpc => FederationException.FromRpc(rpc),
        HttpRequestException http when !cancellationToken.IsCancellationRequested =>
            new FederationException($"Unavailable: the token endpoint is unreachable: {http.Message}", StatusCode.Unavailable, http),
        _ => null,
    };

    /// <summary>Call options with a bearer token and no deadline (for streams).</summary>
    public static CallOptions StreamOptions(string accessToken, CancellationToken cancellationToken) =>
        new(Bearer(accessToken), cancellationToken: cancellationToken);

    private static Metadata Bearer(string accessToken) => new() { { "authorization", "Bearer " + accessToken } };

    private async Task<TResponse> AuthenticatedAsync<TResponse>(Func<CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        var accessToken = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(Options(accessToken, cancellationToken)).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
        {
            // The token may have been refused because the hub's key or clock moved: renew once.
            tokens.Invalidate(accessToken);
            accessToken = await tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            return await call(Options(accessToken, cancellationToken)).ConfigureAwait(false);
        }
    }

    private CallOptions Options(string accessToken, CancellationToken cancellationToken) =>
        new(Bearer(accessToken), callTimeout is { } timeout ? DateTime.UtcNow + timeout : null, cancellationToken);
}
