using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// The one place that turns a connection string into the hub's Redis connection policy, for every multiplexer the
/// hub opens (the shared one and the feed tail's dedicated readers): fail fast while Redis is unreachable and
/// reconnect quickly once it answers again.
/// </summary>
/// <remarks>
/// StackExchange.Redis's default keeps commands issued while disconnected in a backlog until they time out
/// (the 5 s "timed out in the backlog"), so during an outage every call waited for its timeout and callers with a
/// shorter deadline saw DEADLINE_EXCEEDED instead of a retryable UNAVAILABLE. With <see cref="BacklogPolicy.FailFast"/>
/// a command fails at once with a <see cref="RedisConnectionException"/> that <see cref="StoreFailures"/> recognises.
/// Reconnection is driven by the heartbeat, which asks the retry policy whether to try again: the default exponential
/// policy on a one-second heartbeat leaves seconds between attempts, so both are set to <see cref="ReconnectInterval"/>
/// (a connection attempt to a loopback or LAN Redis costs a SYN; the heartbeat's other work is a timer walk).
/// </remarks>
public static class StoreConnection
{
    /// <summary>How often a lost connection is retried (heartbeat and linear retry policy).</summary>
    public static readonly TimeSpan ReconnectInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Parses <paramref name="connectionString"/> and applies the hub's outage policy.</summary>
    /// <param name="connectionString">StackExchange.Redis connection string (its own timeouts are kept).</param>
    /// <param name="clientName">Name shown by <c>CLIENT LIST</c>, to tell the hub's connections apart.</param>
    public static ConfigurationOptions Options(string connectionString, string clientName)
    {
        var config = ConfigurationOptions.Parse(connectionString);
        // Keep retrying in the background during a Redis restart instead of failing the first connect.
        config.AbortOnConnectFail = false;
        config.ClientName = clientName;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry((int)ReconnectInterval.TotalMilliseconds);
        config.HeartbeatInterval = ReconnectInterval;
        // Exception messages would otherwise name the command's key, and some keys carry a signal's hash
        // (contributors, opinions): the hub logs these messages, and logs never hold submitted values.
        config.IncludeDetailInExceptions = false;
        return config;
    }

    /// <summary>Opens a multiplexer with <see cref="Options"/> (the hub's shared connection).</summary>
    public static ConnectionMultiplexer Connect(string connectionString, string clientName) =>
        ConnectionMultiplexer.Connect(Options(connectionString, clientName));

    /// <summary>
    /// Opens a multiplexer with <see cref="Options"/> whose commands may take <paramref name="blockingTime"/> longer than
    /// the connection string's timeouts (<see cref="AcknowledgedWrites"/>: a <c>WAIT</c> holds the socket while it waits).
    /// </summary>
    public static ConnectionMultiplexer Connect(string connectionString, string clientName, TimeSpan blockingTime)
    {
        var config = Options(connectionString, clientName);
        config.AsyncTimeout += (int)Math.Ceiling(blockingTime.TotalMilliseconds);
        config.SyncTimeout += (int)Math.Ceiling(blockingTime.TotalMilliseconds);
        return ConnectionMultiplexer.Connect(config);
    }

    /// <summary>
    /// Opens a multiplexer with <see cref="Options"/> whose commands may take up to <paramref name="commandTimeout"/>
    /// (the feed tail's blocking readers, whose XREAD holds the socket while it waits).
    /// </summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string connectionString, string clientName, TimeSpan commandTimeout)
    {
        var config = Options(connectionString, clientName);
        config.AsyncTimeout = (int)commandTimeout.TotalMilliseconds;
        config.SyncTimeout = config.AsyncTimeout;
        return await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
    }
}
