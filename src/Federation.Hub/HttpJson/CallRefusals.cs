using Federation.Hub.Grpc;
using Grpc.Core;

namespace Federation.Hub.HttpJson;

/// <summary>
/// One way for HTTP-level code to refuse a call to a gRPC method, in the form the caller speaks: a trailers-only gRPC
/// response for gRPC, a <c>google.rpc.Status</c> JSON body with the HTTP status for HTTP/JSON (a trailers-only
/// response would reach an HTTP/1.1 JSON client as an empty 200).
/// </summary>
public static class CallRefusals
{
    /// <summary>True when the request calls a gRPC method, over gRPC or HTTP/JSON.</summary>
    public static bool IsCall(HttpContext context) => GrpcResponses.IsGrpc(context.Request) || HttpJsonCalls.IsTranscoded(context);

    /// <summary>Answers the call with <paramref name="status"/>; <paramref name="retryAfter"/> becomes retry-after-ms (and RetryInfo/Retry-After for JSON).</summary>
    public static Task WriteAsync(HttpContext context, StatusCode status, string message, TimeSpan? retryAfter = null)
    {
        if (GrpcResponses.IsGrpc(context.Request))
        {
            GrpcResponses.WriteTrailersOnly(context.Response, status, message, retryAfter);
            return Task.CompletedTask;
        }

        return JsonStatusResponses.WriteAsync(context.Response, status, message, retryAfter);
    }
}
