using Federation.Contracts.V1;

namespace Federation.Client.Subscriptions;

/// <summary>What <see cref="FederationClient.SubscribeAsync"/> follows, from where, and how it resumes.</summary>
public sealed class SubscriptionOptions
{
    /// <summary>
    /// Where to start when no cursor is known (neither <see cref="Cursor"/> nor one in <see cref="CursorStore"/>):
    /// <see cref="SubscribeStart.Latest"/> (default) or <see cref="SubscribeStart.Snapshot"/>. A known cursor always wins.
    /// </summary>
    public SubscribeStart Start { get; set; } = SubscribeStart.Latest;

    /// <summary>Resume strictly after this cursor (used when the store holds none).</summary>
    public string? Cursor { get; set; }

    /// <summary>Which updates to deliver; <see langword="null"/> for all.</summary>
    public SubscribeFilter? Filter { get; set; }

    /// <summary>
    /// Where the cursor of each processed update is saved (after the consumer asked for the next one)
    /// and loaded from on start. <see langword="null"/>: cursors are kept in memory for reconnects only.
    /// </summary>
    public ICursorStore? CursorStore { get; set; }

    /// <summary>The name under which <see cref="CursorStore"/> keeps this subscription's cursor. Default "default".</summary>
    public string CursorKey { get; set; } = "default";

    /// <summary>
    /// When the hub answers FAILED_PRECONDITION (the cursor is older than the retained feed), start
    /// again with a SNAPSHOT instead of throwing <see cref="FederationCursorExpiredException"/>. The
    /// consumer must then honour <see cref="UpdateKind.SnapshotEnd"/>: drop every signal it holds that the
    /// snapshot did not contain.
    /// </summary>
    public bool SnapshotOnExpiredCursor { get; set; }

    /// <summary>Also yield the <see cref="UpdateKind.Heartbeat"/> and <see cref="UpdateKind.Live"/> markers (their cursors are saved either way). Default false.</summary>
    public bool IncludeHeartbeats { get; set; }

    /// <summary>Consecutive failed connection attempts before giving up; <see langword="null"/> (default) retries forever.</summary>
    public int? MaxReconnectAttempts { get; set; }

    /// <summary>Called with the failure and the delay before each reconnect (for logging and metrics).</summary>
    public Action<Exception?, TimeSpan>? OnReconnect { get; set; }
}
