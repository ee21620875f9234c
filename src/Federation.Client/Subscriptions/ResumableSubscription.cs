using System.Runtime.CompilerServices;
using Federation.Client.Internal;
using Federation.Contracts.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Federation.Client.Subscriptions;

/// <summary>
/// The reconnect loop behind <see cref="FederationClient.SubscribeAsync"/>: one Subscribe stream at a
/// time; on a transient failure or an ended stream it waits (exponential backoff with full jitter) and
/// resumes with start CURSOR after the last update the consumer processed.
/// An update counts as processed once the consumer has it and asks for the next one, or leaves the loop
/// (<c>break</c>, <c>return</c>, a cancelled token, disposing the enumerator): its cursor is saved then, with a
/// token of its own, so a cancellation cannot drop the save and the restarted consumer neither repeats it nor
/// skips the next one.
/// </summary>
internal sealed class ResumableSubscription(
    SignalService.SignalServiceClient signals, AuthorizedCalls calls, FederationClientOptions clientOptions, SubscriptionOptions options, ILogger logger)
{
    /// <param name="commitOnLeave">
    /// Whether leaving the loop counts the update last handed over as processed. True for the enumerable (a <c>break</c>
    /// must not repeat it), false for <see cref="FederationClient.ProcessUpdatesAsync"/>, where leaving means the handler failed.
    /// </param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    public async IAsyncEnumerable<SignalUpdate> RunAsync(bool commitOnLeave, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var store = options.CursorStore;
        var cursor = (store is null ? null : await store.LoadAsync(options.CursorKey, cancellationToken).ConfigureAwait(false)) ?? NullIfEmpty(options.Cursor);
        var start = cursor is not null ? SubscribeStart.Cursor : options.Start == SubscribeStart.Snapshot ? SubscribeStart.Snapshot : SubscribeStart.Latest;
        var inSnapshot = start == SubscribeStart.Snapshot;
        var failures = 0;
        var authFailures = 0;
        // The cursor of the update last handed to the consumer, until it is saved.
        string? handedOver = null;

        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Exception? failure = null;
                var request = new SubscribeRequest
                {
                    Start = inSnapshot ? SubscribeStart.Snapshot : cursor is null ? SubscribeStart.Latest : SubscribeStart.Cursor,
                    Cursor = inSnapshot ? "" : cursor ?? "",
                    Filter = options.Filter,
                };

                string? accessToken = null;
                AsyncServerStreamingCall<SubscribeResponse>? call = null;
                try
                {
                    accessToken = await calls.Tokens.GetAsync(cancellationToken).ConfigureAwait(false);
                    call = signals.Subscribe(request, AuthorizedCalls.StreamOptions(accessToken, cancellationToken));
                }
                catch (HttpRequestException e)
                {
                    failure = e;
                }

                if (call is not null)
                {
                    using (call)
                    {
                        while (true)
                        {
                            var (received, broke) = await AuthorizedCalls.TryMoveNextAsync(call.ResponseStream, "the subscription", cancellationToken).ConfigureAwait(false);
                            if (!received)
                            {
                                failure = broke ?? failure;
                                break;
                            }

                            var update = call.ResponseStream.Current.Update;
                            if (update is null)
                            {
                                continue;
                            }

                            failures = 0;
                            authFailures = 0;
                            var deliver = true;
                            var saveCursor = false;
                            switch (update.Kind)
                            {
                                case UpdateKind.Snapshot:
                                    // Snapshot entries are not resume points: an interrupted snapshot starts over.
                                    break;
                                case UpdateKind.SnapshotEnd:
                                    inSnapshot = false;
                                    saveCursor = true;
                                    break;
                                case UpdateKind.Heartbeat or UpdateKind.Live:
                                    deliver = options.IncludeHeartbeats;
                                    saveCursor = !inSnapshot;
                                    break;
                                default:
                                    saveCursor = !inSnapshot;
                                    break;
                            }

                            if (saveCursor && update.Cursor.Length > 0)
                            {
                                cursor = update.Cursor;
                            }

                            if (saveCursor && update.Cursor.Length > 0 && store is not null)
                            {
                                handedOver = update.Cursor;
                            }

                            if (deliver)
                            {
                                yield return update;
                            }

                            // The consumer asked for the next update: this one is processed.
                            await SaveHandedOverAsync().ConfigureAwait(false);
                        }
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (failure is RpcException rpc)
                {
                    switch (rpc.StatusCode)
                    {
                        case StatusCode.FailedPrecondition when options.SnapshotOnExpiredCursor:
                            logger.LogWarning("Cursor {Cursor} is older than the retained feed; starting again from a snapshot", cursor);
                            cursor = null;
                            inSnapshot = true;
                            continue;
                        case StatusCode.FailedPrecondition:
                            throw new FederationCursorExpiredException(
                                $"the hub no longer retains the feed after cursor '{cursor}': re-subscribe with a snapshot ({rpc.Status.Detail})", rpc)
                            { Cursor = cursor };
                        case StatusCode.Unauthenticated when authFailures++ == 0 && accessToken is not null:
                            calls.Tokens.Invalidate(accessToken);
                            continue;
                        case var code when AuthorizedCalls.IsReconnectable(code):
                            break;
                        default:
                            throw FederationException.FromRpc(rpc);
                    }
                }

                failures++;
                if (options.MaxReconnectAttempts is { } most && failures > most)
                {
                    throw (failure is null ? null : AuthorizedCalls.Translate(failure, cancellationToken))
                        ?? new FederationException("Unavailable: the subscription kept ending", StatusCode.Unavailable, failure);
                }

                var delay = RetryDelays.Next(clientOptions, failures, failure);
                logger.LogInformation("Subscription interrupted ({Reason}); reconnecting in {Delay}", failure?.Message ?? "stream ended", delay);
                options.OnReconnect?.Invoke(failure, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // The consumer left the loop (break, return, dispose) after the update it was handed: it is processed.
            if (commitOnLeave)
            {
                await SaveHandedOverAsync().ConfigureAwait(false);
            }
        }

        async ValueTask SaveHandedOverAsync()
        {
            if (handedOver is not null)
            {
                // Not the consumer's token: a consumer that cancels right after handling an update must not lose its save.
                await store!.SaveAsync(options.CursorKey, handedOver, CancellationToken.None).ConfigureAwait(false);
                handedOver = null;
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
