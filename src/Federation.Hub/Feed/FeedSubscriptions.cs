using System.Buffers;
using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Feed;

/// <summary>
/// Runs Subscribe calls: validates the request, positions the subscriber (LATEST, CURSOR, SNAPSHOT),
/// then streams from this replica's <see cref="FeedTail"/>, catching up from Redis whenever the subscriber
/// is behind the tail (at start, or after overflowing its buffer).
/// </summary>
public sealed class FeedSubscriptions(
    FeedTail tail, FeedLog log, SignalStore store, FeedAccessMonitor access, IOptions<FederationOptions> options, TimeProvider clock, ILogger<FeedSubscriptions> logger, HubMetrics metrics)
{
    private readonly FeedTail tail = tail;
    private readonly FeedLog log = log;
    private readonly SignalStore store = store;
    private readonly FederationOptions options = options.Value;
    private readonly TimeProvider clock = clock;
    private readonly ILogger logger = logger;
    private readonly HubMetrics metrics = metrics;

    private const int CatchUpPage = 512;
    private const int MaxUnflushed = 64;

    /// <summary>Serves one Subscribe call until the client leaves or the hub ends it.</summary>
    /// <remarks>
    /// Messages are written as gRPC frames directly to the response body (after the response headers went out
    /// through <see cref="ServerCallContext.WriteResponseHeadersAsync"/>), so the frame the tail serialized once is
    /// copied onto every in-step subscriber's stream; <paramref name="writer"/> is therefore not used — except for a
    /// Subscribe over HTTP/JSON (gRPC JSON transcoding), whose writer formats each message as one line of JSON.
    /// </remarks>
    public async Task SubscribeAsync(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> writer, ServerCallContext context)
    {
        var filter = FeedFilter.From(request.Filter);
        var start = ParseStart(request);
        using var session = await access.OpenAsync(context.GetCaller().Member, context.CancellationToken).ConfigureAwait(false);
        metrics.SubscriberAttached();
        try
        {
            var subscriber = new Subscriber(this, session, filter, context, HttpJson.HttpJsonCalls.IsTranscoded(context.GetHttpContext()) ? writer : null);
            await subscriber.RunAsync(request.Start, start).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.Termination is { } reason)
        {
            throw reason;
        }
        finally
        {
            metrics.SubscriberDetached();
        }
    }

    private FeedPosition[]? ParseStart(SubscribeRequest request)
    {
        switch (request.Start)
        {
            case SubscribeStart.Unspecified or SubscribeStart.Latest or SubscribeStart.Snapshot:
                return null;
            case SubscribeStart.Cursor:
                if (!FeedCursor.TryDecode(request.Cursor, out var positions, out var error))
                {
                    throw HubErrors.InvalidArgument("cursor", error + ".");
                }

                if (positions.Length != tail.PartitionCount)
                {
                    throw HubErrors.FailedPrecondition(
                        $"The cursor covers {positions.Length} partitions but the feed has {tail.PartitionCount}; resubscribe with start SNAPSHOT.");
                }

                return positions;
            default:
                throw HubErrors.InvalidArgument("start", $"{request.Start} is not a start position.");
        }
    }

    /// <summary>The state of one subscriber: its position vector and whether it is in step with the tail.</summary>
    private sealed class Subscriber(FeedSubscriptions owner, FeedSession session, FeedFilter filter, ServerCallContext context, IServerStreamWriter<SubscribeResponse>? json)
    {
        private readonly System.IO.Pipelines.PipeWriter body = context.GetHttpContext().Response.BodyWriter;

        // HTTP/JSON only: messages waiting for the next flush, written through transcoding's JSON writer.
        private readonly List<SubscribeResponse> pendingJson = [];

        // Frames ready to go out, copied into the response body in one write per flush: every GetSpan/Advance on the
        // HTTP/2 response takes the stream's output locks, which the connection's frame writer contends for.
        // The buffer is pooled and handed back after every flush, so idle subscribers hold none.
        private readonly PooledFrameBuffer pending = new();
        private readonly TimeSpan heartbeat = owner.options.Feed.HeartbeatInterval;
        private FeedPosition[] position = [];
        private bool inStep;
        private string? cursor;
        private long lastWrite;
        private int unflushed;

        private CancellationToken Token => session.Token;

        public async Task RunAsync(SubscribeStart start, FeedPosition[]? from)
        {
            lastWrite = owner.clock.GetTimestamp();
            if (from is not null)
            {
                await EnsureRetainedAsync(from).ConfigureAwait(false);
                position = from;
            }

            // Headers go out before the first frame is copied into the body (refusals above are trailers-only).
            await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
            if (from is null && start == SubscribeStart.Snapshot)
            {
                position = await SnapshotAsync().ConfigureAwait(false);
            }

            var firstAttach = from is null && start != SubscribeStart.Snapshot;
            // LATEST and CURSOR streams say once when they are live (SNAPSHOT_END says it for SNAPSHOT).
            var announceLive = start != SubscribeStart.Snapshot || from is not null;
            while (true)
            {
                var attachment = await owner.tail.AttachAsync(owner.options.Feed.SubscriberBuffer, Token).ConfigureAwait(false);
                try
                {
                    if (firstAttach)
                    {
                        position = attachment.StartVector; // LATEST: from the tail's position, in step at once.
                        firstAttach = false;
                    }
                    else
                    {
                        using var catchingUp = owner.metrics.CatchingUp();
                        await CatchUpAsync(attachment.StartVector).ConfigureAwait(false);
                    }

                    inStep = position.AsSpan().SequenceEqual(attachment.StartVector);
                    cursor = null;
                    if (announceLive)
                    {
                        announceLive = false;
                        await SendAsync(FeedMessages.Marker(UpdateKind.Live, Cursor(), Timestamp.FromDateTimeOffset(owner.clock.GetUtcNow()))).ConfigureAwait(false);
                        await FlushAsync().ConfigureAwait(false);
                    }

                    await FollowAsync(attachment).ConfigureAwait(false);
                }
                finally
                {
                    owner.tail.Detach(attachment);
                }

                // The channel overflowed and was closed by the tail: catch up from Redis and re-attach.
                owner.logger.LogDebug("Feed subscriber of {MemberId} overflowed its buffer; catching up from Redis", session.MemberId);
            }
        }

        private async Task EnsureRetainedAsync(FeedPosition[] from)
        {
            var checks = new Task<string?>[from.Length];
            for (var p = 0; p < from.Length; p++)
            {
                checks[p] = owner.log.CheckRetainedAsync(p, from[p]);
            }

            foreach (var check in checks)
            {
                if (await check.ConfigureAwait(false) is { } reason)
                {
                    throw HubErrors.FailedPrecondition($"The cursor is older than the retained feed: {reason}. Resubscribe with start SNAPSHOT.");
                }
            }
        }

        // Every active record the caller may see, then SNAPSHOT_END; returns where live updates start.
        private async Task<FeedPosition[]> SnapshotAsync()
        {
            var partitions = owner.tail.PartitionCount;
            var noted = new FeedPosition[partitions];
            var now = Timestamp.FromDateTimeOffset(owner.clock.GetUtcNow());
            for (var p = 0; p < partitions; p++)
            {
                // Note the head first: any change after it is in the stream after this id and arrives live,
                // so nothing between the scan and the live tail is lost (some state may arrive twice; versions tell).
                noted[p] = await owner.log.ReadHeadAsync(p).ConfigureAwait(false);
                await foreach (var record in owner.store.ScanActiveAsync(p, Token).ConfigureAwait(false))
                {
                    if (Wanted(record, UpdateKind.Snapshot))
                    {
                        await SendAsync(FeedMessages.Snapshot(record.ToContract(), now)).ConfigureAwait(false);
                    }
                }
            }

            await SendAsync(FeedMessages.Marker(UpdateKind.SnapshotEnd, FeedCursor.Encode(noted), now)).ConfigureAwait(false);
            await FlushAsync().ConfigureAwait(false);
            return noted;
        }

        // Reads (position, target] from Redis for every partition that is behind the tail.
        private async Task CatchUpAsync(FeedPosition[] target)
        {
            for (var p = 0; p < target.Length; p++)
            {
                if (position[p] >= target[p])
                {
                    continue;
                }

                while (position[p] < target[p])
                {
                    // Before every page: nothing after the position may have been trimmed (this also keeps ordinals exact).
                    if (await owner.log.CheckRetainedAsync(p, position[p]).ConfigureAwait(false) is { } reason)
                    {
                        throw HubErrors.FailedPrecondition($"The subscriber fell behind the retained feed: {reason}. Resubscribe with start SNAPSHOT.");
                    }

                    var entries = await owner.log.RangeAsync(p, position[p], target[p], CatchUpPage).ConfigureAwait(false);
                    if (entries.Length == 0)
                    {
                        break; // the rest was trimmed away; the next attach re-checks retention
                    }

                    var records = await owner.store.GetByStorageKeysAsync(p, entries.Select(e => e.StorageKey).ToArray()).ConfigureAwait(false);
                    for (var i = 0; i < entries.Length; i++)
                    {
                        var next = (FeedPosition[])position.Clone();
                        next[p] = entries[i].Id;
                        position = next;
                        cursor = null;
                        if ((records[i] ?? FeedMessages.Gone(entries[i])) is { } record && Wanted(record, entries[i].Kind))
                        {
                            await SendAsync(FeedMessages.Update(entries[i], record.ToContract(), Cursor())).ConfigureAwait(false);
                        }
                    }

                    await FlushAsync().ConfigureAwait(false);
                }
            }
        }

        // Drains the shared tail until the channel is completed (overflow); heartbeats when idle.
        private async Task FollowAsync(FeedAttachment attachment)
        {
            var reader = attachment.Channel.Reader;
            // One idle timer per heartbeat period, not one per wake-up: it is armed for the time left until a
            // heartbeat would be due and only replaced once it has fired (then the loop re-checks lastWrite).
            CancellationTokenSource? idle = null;
            try
            {
                while (true)
                {
                    while (reader.TryRead(out var batch))
                    {
                        foreach (var item in batch)
                        {
                            await ApplyAsync(item).ConfigureAwait(false);
                        }

                        Interlocked.Add(ref attachment.Pending, -batch.Length);
                    }

                    await FlushAsync().ConfigureAwait(false);
                    var wait = heartbeat - owner.clock.GetElapsedTime(lastWrite);
                    if (wait <= TimeSpan.Zero)
                    {
                        var now = Timestamp.FromDateTimeOffset(owner.clock.GetUtcNow());
                        await SendAsync(FeedMessages.Marker(UpdateKind.Heartbeat, Cursor(), now)).ConfigureAwait(false);
                        await FlushAsync().ConfigureAwait(false);
                        continue;
                    }

                    if (idle is null || idle.IsCancellationRequested)
                    {
                        idle?.Dispose();
                        idle = CancellationTokenSource.CreateLinkedTokenSource(Token);
                        idle.CancelAfter(wait);
                    }

                    try
                    {
                        if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                        {
                            return; // overflowed: the tail completed the channel
                        }
                    }
                    catch (OperationCanceledException) when (!Token.IsCancellationRequested)
                    {
                        // The idle timer fired; the loop sends a heartbeat if one is due.
                    }
                }
            }
            finally
            {
                idle?.Dispose();
            }
        }

        private async Task ApplyAsync(FeedItem item)
        {
            var entry = item.Entry;
            if (entry.Id <= position[entry.Partition])
            {
                return; // delivered already (the cursor or the catch-up was ahead of the tail)
            }

            if (inStep)
            {
                position = item.Vector;
            }
            else
            {
                var next = (FeedPosition[])position.Clone();
                next[entry.Partition] = entry.Id;
                position = next;
                if (position.AsSpan().SequenceEqual(item.Vector))
                {
                    position = item.Vector;
                    inStep = true;
                }
            }

            cursor = inStep ? item.Cursor : null;
            if (item.Record is { } record && Wanted(record, entry.Kind))
            {
                // In step: the frame serialized once by the tail. Otherwise the same signal with this subscriber's cursor.
                if (inStep && json is null)
                {
                    pending.Write(item.Frame);
                    await CountAsync().ConfigureAwait(false);
                }
                else
                {
                    await SendAsync(FeedMessages.Update(entry, item.Signal!, Cursor())).ConfigureAwait(false);
                }
            }
        }

        // A quarantined record's one QUARANTINED update goes out; its other updates wait for RELEASED (docs/governance.md).
        private bool Wanted(SignalRecord record, UpdateKind kind) =>
            record.IsVisibleTo(session.Member.Groups) && filter.Matches(record, kind) && (!record.Quarantined || kind == UpdateKind.Quarantined);

        private string Cursor() => cursor ??= FeedCursor.Encode(position);

        // Frames are copied into the response pipe and flushed when nothing more is ready (FlushAsync) or every
        // MaxUnflushed frames, so bursts share flushes and nothing is held back while the subscriber waits.
        private Task SendAsync(SubscribeResponse message)
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

        private async Task CountAsync()
        {
            if (++unflushed >= MaxUnflushed)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        private async Task FlushAsync()
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
                    await json.WriteAsync(message, Token).ConfigureAwait(false);
                }

                pendingJson.Clear();
                lastWrite = owner.clock.GetTimestamp();
                return;
            }

            body.Write(pending.WrittenSpan);
            pending.Clear();

            // Waits while the client does not read (HTTP/2 flow control): only this subscriber's channel fills.
            var result = await body.FlushAsync(Token).ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new OperationCanceledException("The client closed the stream.");
            }

            lastWrite = owner.clock.GetTimestamp();
        }
    }
}
