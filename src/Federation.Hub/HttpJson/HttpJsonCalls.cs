using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace Federation.Hub.HttpJson;

/// <summary>
/// What HTTP-level code (middlewares and the authorization result handler, which run before grpc-dotnet) needs to tell
/// a gRPC method called over HTTP/JSON (gRPC JSON transcoding, <c>google.api.http</c> routes) from other requests, and
/// which gRPC method a request calls whichever way it arrives.
/// </summary>
public static class HttpJsonCalls
{
    /// <summary>True when the request was routed to a gRPC method through its HTTP/JSON route.</summary>
    public static bool IsTranscoded(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;

    /// <summary>
    /// The gRPC method's full name (<c>/federation.v1.SignalService/Submit</c>) for a gRPC or an HTTP/JSON call, from
    /// the endpoint (an HTTP/JSON path such as <c>/v1/signals:submit</c> names no method); null for other requests.
    /// </summary>
    public static string? MethodName(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName;
}
