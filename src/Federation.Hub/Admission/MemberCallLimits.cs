using Federation.Contracts.V1;
using Federation.Hub.Grpc;
using Federation.Hub.HttpJson;
using Federation.Hub.Options;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace Federation.Hub.Admission;

/// <summary>
/// Per-member limits checked before a call's request is read (middleware after authorization): calls in progress
/// of the work-heavy methods (<see cref="FairAdmissionGate.TryReserve(string, out TimeSpan)"/>), open Subscribe streams, and distinct
/// connections with a call in progress. A call over a limit ends at once with RESOURCE_EXHAUSTED naming the limit,
/// and — for the calls in progress — a <c>retry-after-ms</c> trailer; refusing before the body is parsed keeps a
/// flood that ignores the hint cheap for the hub. HTTP/JSON calls (gRPC JSON transcoding) count the same, by the gRPC
/// method their route calls, and are refused as JSON with HTTP 429.
/// </summary>
public sealed class MemberCallLimits(FairAdmissionGate gate, IOptions<FederationOptions> options, TimeProvider clock, ILogger<MemberCallLimits> logger, HubMetrics metrics) : IMiddleware
{
    // Longest a refusal over the calls-in-progress limit is held before it is answered (see RefuseAsync).
    private static readonly TimeSpan MaxRefusalHold = TimeSpan.FromSeconds(1);

    private static readonly string Service = "/" + SignalService.Descriptor.FullName + "/";
    private static readonly string SubmitPath = Service + "Submit";
    private static readonly string SubmitStreamPath = Service + "SubmitStream";
    private static readonly string LookupPath = Service + "Lookup";
    private static readonly string SubscribePath = Service + "Subscribe";

    private readonly FairnessOptions limits = options.Value.Fairness;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var memberId = context.User.Identity?.IsAuthenticated == true ? context.User.GetClaim(OpenIddictConstants.Claims.Subject) : null;
        var method = memberId is null ? null : HttpJsonCalls.MethodName(context);
        if (memberId is null || method is null || !CallRefusals.IsCall(context))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var path = method;
        var work = path == SubmitPath || path == SubmitStreamPath || path == LookupPath;
        var stream = path == SubscribePath;
        var share = gate.ShareOf(memberId);
        var connectionId = context.Connection.Id;

        if (!TryOpenConnection(share, connectionId))
        {
            metrics.RateLimitRefused("connections");
            await RefuseAsync(context, memberId, path,
                $"Member '{memberId}' already has calls in progress on {limits.MaxConnectionsPerMember} connections to this hub replica "
                + "(limit Federation:Fairness:MaxConnectionsPerMember); send your calls over fewer connections (one gRPC channel multiplexes many calls).",
                retryAfter: null).ConfigureAwait(false);
            return;
        }

        var reserved = false;
        var streamCounted = false;
        try
        {
            if (work)
            {
                if (!gate.TryReserve(memberId, out var retryAfter, out var hold, out var limited, MaxRefusalHold))
                {
                    metrics.RateLimitRefused("calls");
                    // The refusal is held for about the time the member's queued calls need (at most a second), and the
                    // hint then says what is left: a client that ignores hints gets about one refusal per call and hold
                    // instead of hundreds a second, each costing the hub a request body; one that honours them waits no
                    // longer than its queue needs anyway.
                    var remaining = retryAfter - hold < FairAdmissionGate.MinRetryAfter ? FairAdmissionGate.MinRetryAfter : retryAfter - hold;
                    var limit = limited switch
                    {
                        FairAdmissionGate.ReserveLimit.Paced => $"{FairAdmissionGate.PacedCallsInProgress} Submit/SubmitStream/Lookup calls in progress on this hub replica, the limit while it uses well "
                            + "over its fair share of the replica and other members are active (docs/quotas.md)",
                        FairAdmissionGate.ReserveLimit.Items => $"Submit/SubmitStream/Lookup calls in progress on this hub replica holding about {gate.ItemsInProgressPerMember:N0} items with this one "
                            + "(limit Federation:Fairness:MaxItemsInProgressPerMember; smaller batches or fewer calls in flight fit)",
                        _ => $"{gate.PerMember + gate.QueuedPerMember} Submit/SubmitStream/Lookup calls in progress on this hub replica "
                            + $"(limits Federation:Fairness:MaxConcurrentCallsPerMember {gate.PerMember} + MaxQueuedCallsPerMember {gate.QueuedPerMember})",
                    };
                    await RefuseAsync(context, memberId, path,
                        $"Member '{memberId}' already has {limit}; "
                        + $"this refusal was held {GrpcResponses.RetryAfterValue(hold)} ms; retry this call after {GrpcResponses.RetryAfterValue(remaining)} ms more "
                        + "(trailer retry-after-ms) and keep fewer calls in flight.",
                        remaining, hold).ConfigureAwait(false);
                    return;
                }

                reserved = true;
            }
            else if (stream && limits.MaxStreamsPerMember > 0)
            {
                if (Interlocked.Increment(ref share.Streams) > limits.MaxStreamsPerMember)
                {
                    Interlocked.Decrement(ref share.Streams);
                    metrics.RateLimitRefused("streams");
                    await RefuseAsync(context, memberId, path,
                        $"Member '{memberId}' already has {limits.MaxStreamsPerMember} Subscribe streams open on this hub replica "
                        + "(limit Federation:Fairness:MaxStreamsPerMember); one stream carries every update you may see, so close streams you no longer read.",
                        retryAfter: null).ConfigureAwait(false);
                    return;
                }

                streamCounted = true;
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (reserved)
            {
                gate.Unreserve(memberId);
            }

            if (streamCounted)
            {
                Interlocked.Decrement(ref share.Streams);
            }

            CloseConnection(share, connectionId);
        }
    }


    private bool TryOpenConnection(FairAdmissionGate.MemberShare share, string connectionId)
    {
        lock (share.Connections)
        {
            if (share.Connections.TryGetValue(connectionId, out var calls))
            {
                share.Connections[connectionId] = calls + 1;
                return true;
            }

            if (limits.MaxConnectionsPerMember > 0 && share.Connections.Count >= limits.MaxConnectionsPerMember)
            {
                return false;
            }

            share.Connections[connectionId] = 1;
            return true;
        }
    }

    private static void CloseConnection(FairAdmissionGate.MemberShare share, string connectionId)
    {
        lock (share.Connections)
        {
            if (share.Connections.TryGetValue(connectionId, out var calls))
            {
                if (calls <= 1)
                {
                    share.Connections.Remove(connectionId);
                }
                else
                {
                    share.Connections[connectionId] = calls - 1;
                }
            }
        }
    }


    // A gRPC "trailers-only" response (status in the headers), which is what grpc-dotnet itself sends for an error
    // before any message. The request body of a single-message call is read to its end first (bytes only, never
    // parsed): answering while the client is still sending leaves Kestrel tracking a half-closed stream, and a client
    // that retries at once piles those up until Kestrel's rapid-reset defence (CVE-2023-44487) aborts the whole
    // connection with ENHANCE_YOUR_CALM — the member's other calls on it included. A refused SubmitStream is answered
    // without reading its body: it is the whole bulk load. A hold, when given, delays the answer after the body is read.
    private async Task RefuseAsync(HttpContext context, string memberId, string path, string message, TimeSpan? retryAfter, TimeSpan hold = default)
    {
        logger.LogDebug("Refused {Method} of member {MemberId}: over a fair-sharing limit", path, memberId);
        if (path != SubmitStreamPath)
        {
            try
            {
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
            {
                // The client went away or sent more than Kestrel's body limit: answer (or not) all the same.
            }
        }

        // After the body is read, so the member's other calls on the connection keep their flow-control window.
        if (hold > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(hold, clock, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client gave up waiting for its refusal: nothing more to answer.
                return;
            }
        }

        await CallRefusals.WriteAsync(context, global::Grpc.Core.StatusCode.ResourceExhausted, message, retryAfter).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);
    }
}
