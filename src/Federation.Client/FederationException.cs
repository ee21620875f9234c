using Federation.Client.Internal;
using Google.Rpc;
using Grpc.Core;

namespace Federation.Client;

/// <summary>
/// The one exception the SDK raises when the hub (or its token endpoint) refuses or cannot serve a call: the gRPC
/// status, the hub's message, how long to wait before retrying when it said so, and the fields it rejected. The SDK
/// has already retried what is worth retrying (see <see cref="FederationClientOptions.MaxRetryAttempts"/>). Arguments
/// the caller gets wrong before anything is sent raise <see cref="ArgumentException"/>, as in all .NET libraries;
/// cancellation raises <see cref="OperationCanceledException"/>. Subclasses: <see cref="Auth.FederationAuthenticationException"/>
/// (credentials refused at the token endpoint), <see cref="Subscriptions.FederationCursorExpiredException"/>.
/// </summary>
public class FederationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FederationException()
        : this("the hub refused the call", Grpc.Core.StatusCode.Unknown, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FederationException(string message)
        : this(message, Grpc.Core.StatusCode.Unknown, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public FederationException(string message, Exception innerException)
        : this(message, Grpc.Core.StatusCode.Unknown, innerException)
    {
    }

    /// <summary>Creates the exception with the status, a message, and the cause.</summary>
    public FederationException(string message, StatusCode statusCode, Exception? innerException, TimeSpan? retryAfter = null, IReadOnlyList<FederationFieldViolation>? fieldViolations = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
        FieldViolations = fieldViolations ?? [];
    }

    /// <summary>
    /// The gRPC status: UNAVAILABLE (hub or store down; retry later), RESOURCE_EXHAUSTED (a quota; wait
    /// <see cref="RetryAfter"/>), UNAUTHENTICATED, PERMISSION_DENIED (suspended member, missing scope), INVALID_ARGUMENT
    /// (see <see cref="FieldViolations"/>), NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ...
    /// </summary>
    public StatusCode StatusCode { get; }

    /// <summary>How long the hub asked the caller to wait before trying again (its <c>retry-after-ms</c> trailer), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The request fields the hub rejected and why (its <c>google.rpc.BadRequest</c> details); empty when none.</summary>
    public IReadOnlyList<FederationFieldViolation> FieldViolations { get; }

    /// <summary>True when trying again later may succeed (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED).</summary>
    public bool IsTransient => StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted;

    /// <summary>The SDK's exception for a gRPC failure: status, message, retry hint and field violations taken from it.</summary>
    internal static FederationException FromRpc(RpcException e)
    {
        var retryAfter = RetryDelays.HintOf(e);
        var violations = e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations
            .Select(v => new FederationFieldViolation(v.Field, v.Description)).ToArray();
        var detail = e.Status.Detail.Length > 0 ? e.Status.Detail : e.Status.DebugException?.Message ?? "no detail";
        return new FederationException($"{e.StatusCode}: {detail}", e.StatusCode, e, retryAfter, violations);
    }
}
