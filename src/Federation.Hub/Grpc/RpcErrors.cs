using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Federation.Hub.Grpc;

/// <summary>Small helpers that raise <see cref="RpcException"/> with the right status and an actionable message.</summary>
public static class RpcErrors
{
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
