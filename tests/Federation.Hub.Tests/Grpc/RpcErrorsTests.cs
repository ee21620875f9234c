using Federation.Hub.Domain;
using Federation.Hub.Grpc;
using Google.Rpc;
using Grpc.Core;

namespace Federation.Hub.Tests.Grpc;

/// <summary>The one translation of domain refusals into gRPC statuses.</summary>
public sealed class RpcErrorsTests
{
    [Theory]
    [InlineData(HubErrorKind.Unauthenticated, StatusCode.Unauthenticated)]
    [InlineData(HubErrorKind.PermissionDenied, StatusCode.PermissionDenied)]
    [InlineData(HubErrorKind.NotFound, StatusCode.NotFound)]
    [InlineData(HubErrorKind.AlreadyExists, StatusCode.AlreadyExists)]
    [InlineData(HubErrorKind.FailedPrecondition, StatusCode.FailedPrecondition)]
    [InlineData(HubErrorKind.Unavailable, StatusCode.Unavailable)]
    public void Each_kind_becomes_its_status_with_the_message(HubErrorKind kind, StatusCode expected)
    {
        var status = RpcErrors.From(new HubException(kind, "what happened and what to do"));

        Assert.Equal(expected, status.StatusCode);
        Assert.Equal("what happened and what to do", status.Status.Detail);
    }

    [Fact]
    public void Invalid_argument_names_its_field_in_a_bad_request_detail()
    {
        var status = RpcErrors.From(HubErrors.InvalidArgument("cursor", "the cursor is not base64url text"));
        var details = status.GetRpcStatus()!.GetDetail<BadRequest>();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Equal("cursor: the cursor is not base64url text", status.Status.Detail);
        Assert.Equal(("cursor", "the cursor is not base64url text"), (details.FieldViolations[0].Field, details.FieldViolations[0].Description));
    }

    [Fact]
    public void Unavailable_carries_the_retry_delay_trailer()
    {
        var status = RpcErrors.From(HubErrors.Unavailable("This hub replica is shutting down"));

        Assert.Contains(status.Trailers, t => t.Key == "retry-after-ms");
    }
}
