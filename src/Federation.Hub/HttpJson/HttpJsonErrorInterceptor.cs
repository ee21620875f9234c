using System.Globalization;
using Federation.Hub.Grpc;
using Google.Protobuf;
using Grpc.Core;

namespace Federation.Hub.HttpJson;

/// <summary>
/// For calls that arrived over HTTP/JSON only: carries what gRPC says in trailers into the JSON error. gRPC JSON
/// transcoding writes an error as the <c>google.rpc.Status</c> of the exception's <c>grpc-status-details-bin</c>
/// (field violations included) but drops every other trailer, so the <c>retry-after-ms</c> delay of a refusal becomes
/// a <c>google.rpc.RetryInfo</c> detail and the <c>Retry-After</c> / <c>retry-after-ms</c> headers. The first (outermost)
/// interceptor, so it sees the refusals of all the others; gRPC calls pass untouched.
/// </summary>
public sealed class HttpJsonErrorInterceptor : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Trailers.Get(GrpcResponses.RetryAfterTrailer) is { } retry
            && long.TryParse(retry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            && HttpJsonCalls.IsTranscoded(context.GetHttpContext()))
        {
            var delay = TimeSpan.FromMilliseconds(milliseconds);
            var status = e.Trailers.Get("grpc-status-details-bin") is { IsBinary: true } details
                ? Google.Rpc.Status.Parser.ParseFrom(details.ValueBytes)
                : new Google.Rpc.Status { Code = (int)e.StatusCode, Message = e.Status.Detail };
            JsonStatusResponses.AddRetryInfo(status, delay);
            var response = context.GetHttpContext().Response;
            if (!response.HasStarted)
            {
                JsonStatusResponses.SetRetryHeaders(response, delay);
            }

            throw new RpcException(e.Status, new Metadata { { "grpc-status-details-bin", status.ToByteArray() } });
        }
    }
}
