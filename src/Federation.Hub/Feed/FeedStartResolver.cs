using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Domain;

namespace Federation.Hub.Feed;

/// <summary>
/// Where a Subscribe starts: decodes the request's start and cursor, and checks that a cursor's position is still in
/// the retained feed. Apart from the streaming steps because these are the call's refusals (INVALID_ARGUMENT,
/// FAILED_PRECONDITION), all decided before the response headers go out, so they end the call trailers-only.
/// </summary>
internal sealed class FeedStartResolver(FeedTail tail, FeedLog log)
{
    /// <summary>The cursor's positions for start CURSOR; null for LATEST and SNAPSHOT (and unspecified, which is LATEST).</summary>
    public FeedPosition[]? Parse(SubscribeRequest request)
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

    /// <summary>Refuses a cursor with FAILED_PRECONDITION when any partition was trimmed past it (checked in parallel).</summary>
    public async Task EnsureRetainedAsync(FeedPosition[] from)
    {
        var checks = new Task<string?>[from.Length];
        for (var p = 0; p < from.Length; p++)
        {
            checks[p] = log.CheckRetainedAsync(p, from[p]);
        }

        foreach (var check in checks)
        {
            if (await check.ConfigureAwait(false) is { } reason)
            {
                throw HubErrors.FailedPrecondition($"The cursor is older than the retained feed: {reason}. Resubscribe with start SNAPSHOT.");
            }
        }
    }
}
