using System.Buffers;
using Federation.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Federation.Hub.Feed;

/// <summary>
/// The response side of one Subscribe call: frames messages, buffers them between flushes, flushes, and knows when a
/// heartbeat is due. The other steps (snapshot, catch-up, live follow) only say what to send and when nothing more is
/// ready; how it reaches the client (HTTP/2 frames or HTTP/JSON lines) is decided here alone.
/// </summary>
/// <remarks>
/// Messages are written as gRPC frames directly to the response body (after the response headers went out through
/// <see cref="ServerCallContext.WriteResponseHeadersAsync"/>), so the frame the tail serialized once is copied onto every
/// in-step subscriber's stream. A Subscribe over HTTP/JSON (gRPC JSON transcoding) passes transcoding's writer instead,
/// which formats each message as one line of JSON.
/// Frames are copied into the response pipe and flushed when nothing more is ready (<see cref="FlushAsync"/>) or every
/// <see cref="MaxUnflushed"/> frames, so bursts share flushes and nothing is held back while the subscriber waits.
/// </remarks>
internal sealed class SubscriberStream(
    ServerCallContext context, IServerStreamWriter<SubscribeResponse>? json, TimeSpan heartbeat, TimeProvider clock, CancellationToken token)
{
    private const int MaxUnflushed = 64;

    private readonly System.IO.Pipelines.PipeWriter body = context.GetHttpContext().Response.BodyWriter;

    // HTTP/JSON only: messages waiting for the next flush, written through transcoding's JSON writer.
    private readonly List<SubscribeResponse> pendingJson = [];

    // Frames ready to go out, copied into the response body in one write per flush: every GetSpan/Advance on the
    // HTTP/2 response takes the stream's output locks, which the connection's frame writer contends for.
    // The buffer is pooled and handed back after every flush, so idle subscribers hold none.
    private readonly PooledFrameBuffer pending = new();
    private long lastWrite = clock.GetTimestamp();
    private int unflushed;

    /// <summary>
    /// True when frames serialized once by the tail can be copied onto this stream as they are (gRPC); false for
    /// HTTP/JSON, whose writer needs the message.
    /// </summary>
    public bool SharesFrames => json is null;

    /// <summary>How long until a heartbeat is due (zero or less: due now).</summary>
    public TimeSpan UntilHeartbeat => heartbeat - clock.GetElapsedTime(lastWrite);

    /// <summary>Sends the response headers; refusals before this are trailers-only responses.</summary>
    public Task StartAsync() => context.WriteResponseHeadersAsync([]);

    /// <summary>Queues one message, flushing every <see cref="MaxUnflushed"/> messages.</summary>
    public Task SendAsync(SubscribeResponse message)
    {
        if (json is null)
        {
            GrpcFrames.Write(pending, message);
        }
        else
        {
            pendingJson.Add(message);
        }

        return CountAsync();
    }

    /// <summary>Queues a frame built by the tail (only when <see cref="SharesFrames"/>).</summary>
    public Task SendFrameAsync(byte[] frame)
    {
        pending.Write(frame);
        return CountAsync();
    }

    /// <summary>Sends a HEARTBEAT marker with <paramref name="cursor"/> and flushes.</summary>
    public async Task HeartbeatAsync(string cursor)
    {
        await SendAsync(FeedMessages.Marker(UpdateKind.Heartbeat, cursor, Timestamp.FromDateTimeOffset(clock.GetUtcNow()))).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Writes out what is queued; waits while the client does not read.</summary>
    public async Task FlushAsync()
    {
        if (unflushed == 0)
        {
            return;
        }

        unflushed = 0;
        if (json is not null)
        {
            // Each write is one JSON line, sent at once; a client that does not read holds this subscriber back only.
            foreach (var message in pendingJson)
            {
                await json.WriteAsync(message, token).ConfigureAwait(false);
            }

            pendingJson.Clear();
            lastWrite = clock.GetTimestamp();
            return;
        }

        body.Write(pending.WrittenSpan);
        pending.Clear();

        // Waits while the client does not read (HTTP/2 flow control): only this subscriber's channel fills.
        var result = await body.FlushAsync(token).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new OperationCanceledException("The client closed the stream.");
        }

        lastWrite = clock.GetTimestamp();
    }

    private async Task CountAsync()
    {
        if (++unflushed >= MaxUnflushed)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }
}
