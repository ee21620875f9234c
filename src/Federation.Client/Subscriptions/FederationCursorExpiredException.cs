using Grpc.Core;

namespace Federation.Client.Subscriptions;

/// <summary>
/// The hub no longer retains the feed after the subscription's cursor (FAILED_PRECONDITION) and the
/// caller did not allow <see cref="SubscriptionOptions.SnapshotOnExpiredCursor"/>. Re-subscribe with
/// <see cref="Contracts.V1.SubscribeStart.Snapshot"/> and drop what the snapshot does not contain.
/// </summary>
public sealed class FederationCursorExpiredException : FederationException
{
    /// <summary>Creates the exception.</summary>
    public FederationCursorExpiredException()
        : base("the cursor is older than the retained feed", StatusCode.FailedPrecondition, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FederationCursorExpiredException(string message)
        : base(message, StatusCode.FailedPrecondition, null)
    {
    }

    /// <summary>Creates the exception with a message and the hub's answer.</summary>
    public FederationCursorExpiredException(string message, Exception innerException)
        : base(message, StatusCode.FailedPrecondition, innerException)
    {
    }

    /// <summary>The cursor the hub refused.</summary>
    public string? Cursor { get; init; }

    /// <summary>The hub's status.</summary>
    public Status? Status => (InnerException as RpcException)?.Status;
}
