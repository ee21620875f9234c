using Federation.Contracts.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Federation.Client.Internal;

/// <summary>
/// The bulk path behind <see cref="FederationClient.SubmitStreamAsync"/>: batches streamed over one
/// <c>SubmitStream</c> call with a bounded window of unacknowledged batches. When the stream breaks (a replica dies,
/// the store is unavailable, the connection drops) it does what the contract asks of a client: keep every
/// unacknowledged batch with its request id, wait the hub's <c>retry-after-ms</c> (or back off), open a new stream —
/// on any replica — and resend those batches first, in order, with the same request ids, then go on. A batch the hub
/// had already stored is answered with its original results, so nothing is counted twice and nothing is lost.
/// </summary>
internal sealed class BulkSubmission(
    SignalService.SignalServiceClient signals, AuthorizedCalls calls, FederationClientOptions options, ILogger logger)
{
    public async Task<SubmissionResult> RunAsync(
        IAsyncEnumerable<SignalSubmission> items, string requestId, IProgress<SubmitProgress>? progress, CancellationToken cancellationToken)
    {
        var source = items.GetAsyncEnumerator(cancellationToken);
        await using var sourceScope = source.ConfigureAwait(false);
        var state = new State(requestId);
        var failures = 0;
        var authFailures = 0;
        while (true)
        {
            var accessToken = await calls.Tokens.GetAsync(cancellationToken).ConfigureAwait(false);
            var acknowledgedBefore = state.Acknowledged;
            try
            {
                if (await StreamAsync(source, state, accessToken, progress, cancellationToken).ConfigureAwait(false))
                {
                    // A stream acknowledgement does not say whether it was answered from the idempotency record: no replay count.
                    return new SubmissionResult(state.Results, state.Batches, replayedBatches: 0, state.ConsistencyTokens);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && authFailures++ == 0)
            {
                calls.Tokens.Invalidate(accessToken);
                continue;
            }
            catch (RpcException e) when (IsResumable(e) && !cancellationToken.IsCancellationRequested)
            {
                failures = state.Acknowledged > acknowledgedBefore ? 1 : failures + 1;
                if (failures > options.MaxRetryAttempts)
                {
                    throw FederationException.FromRpc(e);
                }

                var delay = RetryDelays.Next(options, failures, e);
                logger.LogWarning(
                    "Bulk submission stream broke ({Status}: {Detail}) with {Pending} batches unacknowledged; resending them in {Delay}",
                    e.StatusCode, e.Status.Detail, state.Unacknowledged.Count, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (AuthorizedCalls.Translate(e, cancellationToken) is { } translated)
            {
                // Not worth resending (PERMISSION_DENIED, INVALID_ARGUMENT, ...), or the caller cancelled.
                throw translated;
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                // The token endpoint was unreachable: back off like any transient failure.
                if (++failures > options.MaxRetryAttempts)
                {
                    throw AuthorizedCalls.Translate(e, cancellationToken)!;
                }

                await Task.Delay(RetryDelays.Next(options, failures, e), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Statuses after which resending the unacknowledged batches is right: the hub or the network may be back (UNAVAILABLE,
    /// a transport error surfacing as INTERNAL or UNKNOWN, a server-side CANCELLED), or the hub asked to slow down
    /// (RESOURCE_EXHAUSTED with its delay).
    /// </summary>
    private static bool IsResumable(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown
        or StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;

    /// <summary>One stream: resends what is unacknowledged, then pumps the source. True when everything is acknowledged.</summary>
    private async Task<bool> StreamAsync(
        IAsyncEnumerator<SignalSubmission> source, State state, string accessToken, IProgress<SubmitProgress>? progress, CancellationToken cancellationToken)
    {
        using var call = signals.SubmitStream(AuthorizedCalls.StreamOptions(accessToken, cancellationToken));
        foreach (var pending in state.Unacknowledged)
        {
            await WriteAsync(call, pending.Request, cancellationToken).ConfigureAwait(false);
        }

        var inFlight = state.Unacknowledged.Count;
        var completed = false;
        while (true)
        {
            while (!state.SourceDone && inFlight < options.SubmitStreamWindow)
            {
                var batch = await state.NextBatchAsync(source, options.SubmitBatchSize).ConfigureAwait(false);
                if (batch is null)
                {
                    break;
                }

                await WriteAsync(call, batch.Request, cancellationToken).ConfigureAwait(false);
                inFlight++;
            }

            if (state.SourceDone && !completed)
            {
                // Tell the hub no more batches come; it ends the stream after the last acknowledgement.
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                completed = true;
            }

            if (inFlight == 0)
            {
                if (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    throw Protocol("an acknowledgement after the last batch");
                }

                return true;
            }

            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"the stream ended with {inFlight} batches unacknowledged"));
            }

            var ack = call.ResponseStream.Current;
            var head = state.Unacknowledged.Peek();
            if (ack.RequestId != head.Request.RequestId)
            {
                throw Protocol($"acknowledgement of '{ack.RequestId}' while '{head.Request.RequestId}' was the oldest unacknowledged batch");
            }

            state.Acknowledge(ack);
            inFlight--;
            progress?.Report(state.Progress());
        }
    }

    /// <summary>
    /// Sends one batch. A write on a stream the hub or the network ended fails with a transport error, not a status
    /// (IOException; InvalidOperationException once the call has completed): the status, when there is one, is in the
    /// response stream, so read it there; otherwise report the break as UNAVAILABLE so the batches are resent.
    /// </summary>
    private static async Task WriteAsync(AsyncDuplexStreamingCall<SubmitStreamRequest, SubmitStreamResponse> call, SubmitStreamRequest batch, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // Reading ends with the stream's status as an RpcException when it has one. Acknowledgements still buffered
            // are skipped: their batches stay unacknowledged and are resent, which the request ids make harmless.
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "the stream broke while sending a batch: " + e.Message));
        }
    }

    private static InvalidOperationException Protocol(string what) => new($"SubmitStream protocol violation by the hub: {what}");

    /// <summary>A batch sent (or to be resent) and not yet acknowledged, with the position of its first item in the submission.</summary>
    private sealed record PendingBatch(SubmitStreamRequest Request, int Offset);

    /// <summary>What the submission has read, sent and had acknowledged, across streams.</summary>
    private sealed class State(string requestId)
    {
        private int read;
        private int created;
        private int corroborated;
        private int unchanged;
        private int rejected;

        // Items read but left for the next batch (read ahead, or the run of a media item the last batch would have split).
        private readonly List<SignalSubmission> carried = [];

        public Queue<PendingBatch> Unacknowledged { get; } = new();

        public List<SubmitResult> Results { get; } = [];

        public List<string> ConsistencyTokens { get; } = [];

        public bool SourceDone { get; private set; }

        public int Batches { get; private set; }

        public int Acknowledged => Results.Count;

        /// <summary>Reads up to <paramref name="size"/> items into a new batch with the next request id; null at the end.</summary>
        public async ValueTask<PendingBatch?> NextBatchAsync(IAsyncEnumerator<SignalSubmission> source, int size)
        {
            var request = new SubmitStreamRequest { RequestId = $"{requestId}-{Batches + Unacknowledged.Count}" };
            request.Items.AddRange(carried);
            carried.Clear();
            while (request.Items.Count < size && await source.MoveNextAsync().ConfigureAwait(false))
            {
                request.Items.Add(source.Current);
            }

            if (request.Items.Count < size)
            {
                SourceDone = true;
            }
            else if (await source.MoveNextAsync().ConfigureAwait(false))
            {
                // One item read ahead: when it continues the batch's last media item, that item's run moves to the next
                // batch with it (unless the run is the whole batch), so the hub links all its hashes.
                var run = MediaItemBatches.TrailingRun(request.Items, source.Current);
                if (run > 0 && run < request.Items.Count)
                {
                    for (var i = request.Items.Count - run; i < request.Items.Count; i++)
                    {
                        carried.Add(request.Items[i]);
                    }

                    for (var i = 0; i < run; i++)
                    {
                        request.Items.RemoveAt(request.Items.Count - 1);
                    }
                }

                carried.Add(source.Current);
            }
            else
            {
                SourceDone = true;
            }

            if (request.Items.Count == 0)
            {
                return null;
            }

            var batch = new PendingBatch(request, read);
            read += request.Items.Count;
            Unacknowledged.Enqueue(batch);
            return batch;
        }

        public void Acknowledge(SubmitStreamResponse ack)
        {
            var batch = Unacknowledged.Dequeue();
            Batches++;
            foreach (var result in ack.Results)
            {
                var global = result.Clone();
                global.Index = (uint)(batch.Offset + (int)result.Index);
                Results.Add(global);
            }

            if (ack.ConsistencyToken.Length > 0)
            {
                ConsistencyTokens.Add(ack.ConsistencyToken);
            }

            created += (int)ack.Summary.Created;
            corroborated += (int)ack.Summary.Corroborated;
            unchanged += (int)ack.Summary.Unchanged;
            rejected += (int)ack.Summary.Rejected;
        }

        /// <summary>Progress so far; the total is what was read from the source so far (the whole once it is exhausted).</summary>
        public SubmitProgress Progress() => new(Acknowledged, read, created, corroborated, unchanged, rejected);
    }
}
