using System.Globalization;
using Federation.Contracts.V1;
using Grpc.Core;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// A bulk load over SubmitStream that does what the contract asks of a client when a stream breaks: keep the batches
/// sent but not acknowledged, wait the <c>retry-after-ms</c> delay, open a new stream (on whichever replica
/// <c>clientFor</c> gives for the attempt) and resend them, in order, with their same request ids, then go on.
/// </summary>
/// <param name="clientFor">The client to use for attempt n (0 first); another replica after a replica died.</param>
/// <param name="window">Batches kept unacknowledged at most (client-side flow control).</param>
public sealed class ResumableSubmitStream(Func<int, SignalService.SignalServiceClient> clientFor, int window = 4)
{
    private readonly Lock gate = new();
    private readonly List<SubmitStreamResponse> acknowledgements = [];
    private readonly List<(string Status, string Detail)> breaks = [];

    /// <summary>Batches acknowledged so far.</summary>
    public int AcknowledgedCount
    {
        get
        {
            lock (gate)
            {
                return acknowledgements.Count;
            }
        }
    }

    /// <summary>Every acknowledgement received, in order (a resent batch is acknowledged once, on the stream that answered).</summary>
    public IReadOnlyList<SubmitStreamResponse> Acknowledgements
    {
        get
        {
            lock (gate)
            {
                return acknowledgements.ToArray();
            }
        }
    }

    /// <summary>How each broken stream ended: the gRPC status, or the transport exception's type when the replica vanished.</summary>
    public IReadOnlyList<(string Status, string Detail)> Breaks
    {
        get
        {
            lock (gate)
            {
                return breaks.ToArray();
            }
        }
    }

    /// <summary>Sends every batch until each is acknowledged, or fails after <paramref name="bound"/>.</summary>
    public async Task RunAsync(IReadOnlyList<SubmitStreamRequest> batches, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        var unacknowledged = new Queue<SubmitStreamRequest>();
        var next = 0;
        for (var attempt = 0; ; attempt++)
        {
            Assert.False(timeout.IsCancellationRequested, $"the load did not finish within {bound} ({AcknowledgedCount} of {batches.Count} batches acknowledged)");
            using var call = clientFor(attempt).SubmitStream(cancellationToken: timeout.Token);
            try
            {
                // Resend what the broken stream left unacknowledged, then go on with new batches.
                var resend = unacknowledged.ToArray();
                foreach (var batch in resend)
                {
                    await call.RequestStream.WriteAsync(batch);
                }

                var completed = false;
                while (unacknowledged.Count > 0 || next < batches.Count)
                {
                    while (unacknowledged.Count < window && next < batches.Count)
                    {
                        unacknowledged.Enqueue(batches[next]);
                        await call.RequestStream.WriteAsync(batches[next++]);
                    }

                    if (next == batches.Count && !completed)
                    {
                        await call.RequestStream.CompleteAsync();
                        completed = true;
                    }

                    Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the stream ended with batches unacknowledged");
                    var ack = call.ResponseStream.Current;
                    Assert.Equal(unacknowledged.Peek().RequestId, ack.RequestId); // acknowledged in order
                    unacknowledged.Dequeue();
                    lock (gate)
                    {
                        acknowledgements.Add(ack);
                    }
                }

                return;
            }
            catch (RpcException written) when (!timeout.IsCancellationRequested)
            {
                var e = await FinalStatusAsync(call, written);
                lock (gate)
                {
                    breaks.Add((e.StatusCode.ToString(), e.Status.Detail));
                }

                var delay = int.TryParse(e.Trailers.GetValue("retry-after-ms"), CultureInfo.InvariantCulture, out var ms) ? ms : 100;
                await Task.Delay(Math.Min(delay, 500), CancellationToken.None);
            }
            catch (IOException e) when (!timeout.IsCancellationRequested)
            {
                // Grpc.Net.Client surfaces a connection that died under a pending write as the raw HttpIOException,
                // not as an RpcException: a client must treat it like UNAVAILABLE.
                lock (gate)
                {
                    breaks.Add((e.GetType().Name, e.Message));
                }

                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    // A write that races the hub ending the stream fails on the client's side (CANCELLED, the HTTP/2 stream already
    // closed); the status the hub sent, with its retry-after-ms trailer, is in the response, as a client should read it.
    private static async Task<RpcException> FinalStatusAsync(AsyncDuplexStreamingCall<SubmitStreamRequest, SubmitStreamResponse> call, RpcException failure)
    {
        if (failure.StatusCode != StatusCode.Cancelled)
        {
            return failure;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (await call.ResponseStream.MoveNext(bound.Token))
            {
            }

            return failure;
        }
        catch (RpcException answered) when (!bound.IsCancellationRequested)
        {
            return answered;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException)
        {
            return failure;
        }
    }
}
