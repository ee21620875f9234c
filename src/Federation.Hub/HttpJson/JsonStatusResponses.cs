using Federation.Hub.Grpc;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using BadRequest = Google.Rpc.BadRequest;
using RetryInfo = Google.Rpc.RetryInfo;

namespace Federation.Hub.HttpJson;

/// <summary>
/// Refusals of HTTP/JSON calls as gRPC JSON transcoding answers errors: a <c>google.rpc.Status</c> JSON body with the
/// HTTP status that matches the gRPC code (401, 403, 400, 429, 503...), and — where gRPC carries the
/// <c>retry-after-ms</c> trailer — a <c>google.rpc.RetryInfo</c> detail plus the <c>Retry-After</c> (seconds) and
/// <c>retry-after-ms</c> headers, so plain HTTP clients and their retry libraries see the delay.
/// </summary>
public static class JsonStatusResponses
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithTypeRegistry(TypeRegistry.FromMessages(RetryInfo.Descriptor, BadRequest.Descriptor)));

    /// <summary>The HTTP status gRPC JSON transcoding gives a gRPC status code (google.rpc.Code's mapping).</summary>
    public static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => StatusCodes.Status408RequestTimeout,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Adds a <c>google.rpc.RetryInfo</c> detail for <paramref name="delay"/> to <paramref name="status"/>.</summary>
    public static void AddRetryInfo(Google.Rpc.Status status, TimeSpan delay)
    {
        // Whole milliseconds rounded up, as retry-after-ms: a client never retries early.
        var milliseconds = (long)Math.Ceiling(delay.TotalMilliseconds);
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(milliseconds)) }));
    }

    /// <summary>Sets the <c>Retry-After</c> (whole seconds, rounded up) and <c>retry-after-ms</c> headers.</summary>
    public static void SetRetryHeaders(HttpResponse response, TimeSpan delay)
    {
        response.Headers.RetryAfter = GrpcResponses.RetryAfterSeconds(delay);
        response.Headers[GrpcResponses.RetryAfterTrailer] = GrpcResponses.RetryAfterValue(delay);
    }

    /// <summary>
    /// Answers the request with the status as JSON (what transcoding itself writes for a failed call), with the HTTP
    /// status of <paramref name="code"/> unless <paramref name="httpStatus"/> names a more precise one.
    /// </summary>
    public static async Task WriteAsync(HttpResponse response, StatusCode code, string message, TimeSpan? retryAfter = null, int? httpStatus = null)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        response.StatusCode = httpStatus ?? HttpStatus(code);
        response.ContentType = "application/json; charset=utf-8";
        if (code == StatusCode.Unauthenticated)
        {
            // RFC 6750 section 3: a 401 names the scheme the client must use.
            response.Headers.WWWAuthenticate = "Bearer";
        }

        if (retryAfter is { } delay)
        {
            AddRetryInfo(status, delay);
            SetRetryHeaders(response, delay);
        }

        await response.WriteAsync(Formatter.Format(status)).ConfigureAwait(false);
    }
}
