using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Recognises a failure of the store (Redis) rather than of the request: the connection is lost or times out,
/// the server is loading its data set, a cluster is down or failing over, a write's replicas did not acknowledge it
/// (<see cref="StoreReplicationException"/>). Every such failure is transient for
/// the caller, so every interface maps it to one answer (gRPC UNAVAILABLE, HTTP 503) with a retry hint,
/// instead of UNKNOWN or 500.
/// </summary>
public static class StoreFailures
{
    /// <summary>How long a caller should wait before retrying a call refused because the store is unavailable.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);

    // Error prefixes Redis answers with while it cannot serve the command right now (RESP error codes):
    // LOADING (AOF/RDB load after a restart), BUSY (a script runs), CLUSTERDOWN / TRYAGAIN / MASTERDOWN (cluster
    // state or a failover), READONLY (a replica that was just demoted or not yet promoted), MOVED / ASK (slot
    // migration the client did not follow in time), UNBLOCKED (a blocking command ended because its master was demoted).
    private static readonly string[] TransientServerErrors =
        ["LOADING", "BUSY", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "MOVED", "ASK", "UNBLOCKED"];

    // The same conditions as the client classifies them: its own refusals (a MOVED it was told not to follow, a redirect to
    // a node it cannot name) carry no RESP prefix.
    private static readonly HashSet<RedisErrorKind> TransientKinds =
    [
        RedisErrorKind.Loading, RedisErrorKind.Busy, RedisErrorKind.ClusterDown, RedisErrorKind.TryAgain, RedisErrorKind.MasterDown,
        RedisErrorKind.ReadOnly, RedisErrorKind.Moved, RedisErrorKind.Ask, RedisErrorKind.UnknownRedirectTarget,
    ];

    /// <summary>True when <paramref name="exception"/> (or an exception inside it) is a store failure.</summary>
    public static bool IsStoreFailure(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; depth++, exception = exception.InnerException)
        {
            switch (exception)
            {
                case RedisConnectionException or RedisTimeoutException or StoreReplicationException:
                case ObjectDisposedException { ObjectName: "ConnectionMultiplexer" }:
                case RedisServerException server when TransientKinds.Contains(server.Kind) || IsTransientServerError(server.Message):
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsStoreFailure):
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="exception"/> itself is any error of the store client (a <see cref="RedisException"/>:
    /// connection, server or script error, transient or not) or a timeout. Background loops that simply retry next round
    /// (retention, expiry sweep) and the feed's member re-check catch these, so they need not name the client's types.
    /// </summary>
    public static bool IsStoreError(Exception exception) => exception is RedisException or TimeoutException;

    private static bool IsTransientServerError(string message)
    {
        foreach (var prefix in TransientServerErrors)
        {
            if (message.StartsWith(prefix, StringComparison.Ordinal) &&
                (message.Length == prefix.Length || message[prefix.Length] == ' '))
            {
                return true;
            }
        }

        return false;
    }
}
