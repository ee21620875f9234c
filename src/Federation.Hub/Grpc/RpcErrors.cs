using Federation.Hub.Domain;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Federation.Hub.Grpc;

/// <summary>
/// The gRPC form of every refusal: small helpers that raise <see cref="RpcException"/> with the right status and an
/// actionable message, and <see cref="From"/>, the one translation of the domain's <see cref="HubException"/>.
/// </summary>
public static class RpcErrors
{
    /// <summary>The status (with details and retry trailer where they apply) a domain refusal becomes.</summary>
    public static RpcException From(HubException error) => error.Kind switch
    {
        HubErrorKind.InvalidArgument when error.Field is { } field =>
            InvalidArgument(field, error.Message.StartsWith(field + ": ", StringComparison.Ordinal) ? error.Message[(field.Length + 2)..] : error.Message),
        HubErrorKind.InvalidArgument => new(new global::Grpc.Core.Status(StatusCode.InvalidArgument, error.Message)),
        HubErrorKind.Unauthenticated => new(new global::Grpc.Core.Status(StatusCode.Unauthenticated, error.Message)),
        HubErrorKind.PermissionDenied => PermissionDenied(error.Message),
        HubErrorKind.NotFound => NotFound(error.Message),
        HubErrorKind.AlreadyExists => AlreadyExists(error.Message),
        HubErrorKind.FailedPrecondition => FailedPrecondition(error.Message),
        HubErrorKind.Unavailable => FailureStatusInterceptor.Unavailable(error.Message),
        HubErrorKind.ResourceExhausted => new(new global::Grpc.Core.Status(StatusCode.ResourceExhausted, error.Message)),
        _ => new(new global::Grpc.Core.Status(StatusCode.Internal, "The hub failed to answer; the error has been logged.")),
    };

    /// <summary>The status code of a refusal of <paramref name="kind"/> (a batch item's own error code).</summary>
    public static StatusCode CodeOf(HubErrorKind kind) => kind switch
    {
        HubErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        HubErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        HubErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        HubErrorKind.NotFound => StatusCode.NotFound,
        HubErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        HubErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        HubErrorKind.Unavailable => StatusCode.Unavailable,
        HubErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    /// <summary>INVALID_ARGUMENT with a google.rpc.BadRequest field violation naming the field.</summary>
    public static RpcException InvalidArgument(string field, string description)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"{field}: {description}",
            Details =
            {
                Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } } }),
            },
        };
        return status.ToRpcException();
    }

    /// <summary>NOT_FOUND naming what is missing.</summary>
    public static RpcException NotFound(string message) => new(new global::Grpc.Core.Status(StatusCode.NotFound, message));

    /// <summary>ALREADY_EXISTS naming what exists.</summary>
    public static RpcException AlreadyExists(string message) => new(new global::Grpc.Core.Status(StatusCode.AlreadyExists, message));

    /// <summary>FAILED_PRECONDITION: the request is valid but the system is not in a state to do it.</summary>
    public static RpcException FailedPrecondition(string message) => new(new global::Grpc.Core.Status(StatusCode.FailedPrecondition, message));

    /// <summary>PERMISSION_DENIED with the reason.</summary>
    public static RpcException PermissionDenied(string message) => new(new global::Grpc.Core.Status(StatusCode.PermissionDenied, message));
}
