using System.Runtime.CompilerServices;
using Federation.Client.Internal;
using Federation.Contracts.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Federation.Client.Subscriptions;

/// <summary>
/// The reconnect loop behind <see cref="FederationClient.WatchNoticesAsync"/>: one WatchNotices stream at a time; when it
/// ends or fails transiently, wait (the hub's retry hint, else backoff with jitter) and resume after the last notice
/// handed over. Non-transient refusals (PERMISSION_DENIED for a suspended member, INVALID_ARGUMENT) end it.
/// </summary>
internal sealed class ResumableNotices(SignalService.SignalServiceClient signals, AuthorizedCalls calls, FederationClientOptions options, ILogger logger)
{
    public async IAsyncEnumerable<OverturnNotice> RunAsync(string? cursor, bool untilCaughtUp, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failures = 0;
        var authFailures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception? failure = null;
            var accessToken = await calls.Tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            using (var call = signals.WatchNotices(new WatchNoticesRequest { Cursor = cursor ?? "" }, AuthorizedCalls.StreamOptions(accessToken, cancellationToken)))
            {
                while (true)
                {
                    var (received, broke) = await AuthorizedCalls.TryMoveNextAsync(call.ResponseStream, "watching notices", cancellationToken).ConfigureAwait(false);
                    if (!received)
                    {
                        failure = broke;
                        break;
                    }

                    failures = 0;
                    authFailures = 0;
                    var current = call.ResponseStream.Current;
                    if (current.Notice is { } notice)
                    {
                        cursor = notice.Cursor;
                        yield return notice;
                    }
                    else if (current.Live && untilCaughtUp)
                    {
                        yield break;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (failure is RpcException rpc)
            {
                switch (rpc.StatusCode)
                {
                    case StatusCode.Unauthenticated when authFailures++ == 0:
                        calls.Tokens.Invalidate(accessToken);
                        continue;
                    case var code when AuthorizedCalls.IsReconnectable(code):
                        break;
                    default:
                        throw FederationException.FromRpc(rpc);
                }
            }

            failures++;
            var delay = RetryDelays.Next(options, failures, failure);
            logger.LogInformation("Notice stream interrupted ({Reason}); reconnecting in {Delay}", failure?.Message ?? "stream ended", delay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
