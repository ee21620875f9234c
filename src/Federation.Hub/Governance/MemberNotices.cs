using System.Text.RegularExpressions;
using Federation.Contracts.V1;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Governance;

/// <summary>
/// A member's notice stream (WatchNotices): every stored notice after the cursor, a <c>live</c> marker, then new notices
/// as they are written (read every second: notices are rare, and one empty XRANGE per open stream per second costs
/// Redis nothing), heartbeats while idle. Ends like a feed stream when the member is suspended or removed.
/// </summary>
public sealed partial class MemberNotices(AppealStore appeals, FeedAccessMonitor access, IOptions<FederationOptions> options, TimeProvider clock)
{
    private const int Page = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly TimeSpan heartbeat = options.Value.Feed.HeartbeatInterval;

    /// <summary>Serves one WatchNotices call.</summary>
    public async Task WatchAsync(WatchNoticesRequest request, IServerStreamWriter<WatchNoticesResponse> writer, ServerCallContext context)
    {
        var cursor = request.Cursor.Length == 0 ? "0-0" : request.Cursor;
        if (!StreamId().IsMatch(cursor))
        {
            throw HubErrors.InvalidArgument("cursor", "notice.cursor: not a notice cursor; pass OverturnNotice.cursor exactly as the hub sent it, or nothing to start from the oldest notice kept");
        }

        var caller = context.GetCaller();
        using var session = await access.OpenAsync(caller.Member, context.CancellationToken).ConfigureAwait(false);
        try
        {
            var live = false;
            var lastWrite = clock.GetTimestamp();
            while (!session.Token.IsCancellationRequested)
            {
                var entries = await appeals.ReadNoticesAsync(caller.MemberId, cursor, Page).ConfigureAwait(false);
                foreach (var entry in entries)
                {
                    await writer.WriteAsync(new WatchNoticesResponse { Notice = entry.ToContract() }, session.Token).ConfigureAwait(false);
                    cursor = entry.Cursor;
                    lastWrite = clock.GetTimestamp();
                }

                if (entries.Count == Page)
                {
                    continue;
                }

                if (!live || clock.GetElapsedTime(lastWrite) >= heartbeat)
                {
                    await writer.WriteAsync(new WatchNoticesResponse { Live = !live }, session.Token).ConfigureAwait(false);
                    live = true;
                    lastWrite = clock.GetTimestamp();
                }

                await Task.Delay(PollInterval, clock, session.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (session.Termination is { } reason)
        {
            throw reason;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    [GeneratedRegex("^[0-9]{1,20}-[0-9]{1,20}$")]
    private static partial Regex StreamId();
}
