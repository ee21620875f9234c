using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Auth;
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
/// <remarks>
/// This class owns the call's lifetime and the order of its steps; each step is its own type, one job each, so the
/// rules of one (retention, in-step sharing, flushing) can be read without the others:
/// <see cref="FeedStartResolver"/> (start and cursor, retention check), <see cref="FeedSnapshot"/>,
/// <see cref="FeedCatchUp"/>, <see cref="FeedLiveFollower"/>, and <see cref="SubscriberStream"/> (framing, buffering,
/// flushing, heartbeats) with <see cref="SubscriberPosition"/> (the vector, in-step rule and cursor) per call.
/// </remarks>
public sealed class FeedSubscriptions
{
    private readonly FeedTail tail;
    private readonly FeedAccessMonitor access;
    private readonly FederationOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly HubMetrics metrics;
    private readonly FeedStartResolver start;
    private readonly FeedSnapshot snapshot;
    private readonly FeedCatchUp catchUp;
    private readonly FeedLiveFollower live;

    public FeedSubscriptions(
        FeedTail tail, FeedLog log, SignalStore store, FeedAccessMonitor access, IOptions<FederationOptions> options, TimeProvider clock, ILogger<FeedSubscriptions> logger, HubMetrics metrics)
    {
        this.tail = tail;
        this.access = access;
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
        this.metrics = metrics;
        start = new FeedStartResolver(tail, log);
        snapshot = new FeedSnapshot(tail, log, store, clock);
        catchUp = new FeedCatchUp(log, store);
        live = new FeedLiveFollower(tail.Renew);
    }

    /// <summary>Serves one Subscribe call until the client leaves or the hub ends it.</summary>
    /// <remarks>
    /// Messages are written as gRPC frames directly to the response body (<see cref="SubscriberStream"/>), so
    /// <paramref name="writer"/> is not used — except for a Subscribe over HTTP/JSON (gRPC JSON transcoding), whose
    /// writer formats each message as one line of JSON.
    /// </remarks>
    public async Task SubscribeAsync(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> writer, ServerCallContext context)
    {
        var filter = FeedFilter.From(request.Filter);
        var from = start.Parse(request);
        using var session = await access.OpenAsync(context.GetCaller().Member, context.CancellationToken).ConfigureAwait(false);
        await SubscribeRequestState.ReleaseAsync(context.GetHttpContext()).ConfigureAwait(false);
        metrics.SubscriberAttached();
        try
        {
            var json = HttpJson.HttpJsonCalls.IsTranscoded(context.GetHttpContext()) ? writer : null;
            var stream = new SubscriberStream(context, json, options.Feed.HeartbeatInterval, clock, session.Token);
            await RunAsync(new FeedSubscriber(session, filter, stream), request.Start, from).ConfigureAwait(false);
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

    private async Task RunAsync(FeedSubscriber subscriber, SubscribeStart startKind, FeedPosition[]? from)
    {
        if (from is not null)
        {
            await start.EnsureRetainedAsync(from).ConfigureAwait(false);
            subscriber.Position.MoveTo(from);
        }

        // Headers go out before the first frame is copied into the body (refusals above are trailers-only).
        await subscriber.Stream.StartAsync().ConfigureAwait(false);
        if (from is null && startKind == SubscribeStart.Snapshot)
        {
            subscriber.Position.MoveTo(await snapshot.SendAsync(subscriber).ConfigureAwait(false));
        }

        var firstAttach = from is null && startKind != SubscribeStart.Snapshot;
        // LATEST and CURSOR streams say once when they are live (SNAPSHOT_END says it for SNAPSHOT).
        var announceLive = startKind != SubscribeStart.Snapshot || from is not null;
        while (true)
        {
            var attachment = await tail.AttachAsync(options.Feed.SubscriberBuffer, subscriber.Token).ConfigureAwait(false);
            try
            {
                if (firstAttach)
                {
                    subscriber.Position.MoveTo(attachment.StartVector); // LATEST: from the tail's position, in step at once.
                    firstAttach = false;
                }
                else
                {
                    using var catchingUp = metrics.CatchingUp();
                    await catchUp.RunAsync(subscriber, attachment.StartVector).ConfigureAwait(false);
                }

                subscriber.Position.Attached(attachment.StartVector);
                if (announceLive)
                {
                    announceLive = false;
                    await subscriber.Stream.SendAsync(FeedMessages.Marker(UpdateKind.Live, subscriber.Position.Cursor, Timestamp.FromDateTimeOffset(clock.GetUtcNow()))).ConfigureAwait(false);
                    await subscriber.Stream.FlushAsync().ConfigureAwait(false);
                }

                await live.RunAsync(subscriber, attachment).ConfigureAwait(false);
            }
            finally
            {
                tail.Detach(attachment);
            }

            // The channel overflowed and was closed by the tail: catch up from Redis and re-attach.
            logger.LogDebug("Feed subscriber of {MemberId} overflowed its buffer; catching up from Redis", subscriber.Session.MemberId);
        }
    }
}
