using System.Globalization;
using System.Text;
using Grpc.Core;

namespace Federation.Hub.Grpc;

/// <summary>
/// What the hub's own HTTP-level code (middlewares and the authorization result handler, which answer before
/// grpc-dotnet runs) needs of the gRPC wire format: recognising a gRPC request, the <c>retry-after-ms</c> trailer every
/// retryable refusal carries, and a trailers-only status response.
/// </summary>
public static class GrpcResponses
{
    /// <summary>The trailer (or header, in a trailers-only response) telling a client how long to wait before retrying.</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    /// <summary>True for a gRPC request (content type <c>application/grpc</c>, with or without a suffix).</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The <c>retry-after-ms</c> value: whole milliseconds, rounded up so a client never retries early.</summary>
    public static string RetryAfterValue(TimeSpan delay) =>
        ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The HTTP <c>Retry-After</c> value: whole seconds, at least 1, rounded up so a client never retries early.</summary>
    public static string RetryAfterSeconds(TimeSpan delay) =>
        Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Trailers carrying <c>retry-after-ms</c>, for an <see cref="RpcException"/>.</summary>
    public static Metadata RetryAfter(TimeSpan delay) => new() { { RetryAfterTrailer, RetryAfterValue(delay) } };

    /// <summary>
    /// Answers with a trailers-only gRPC response (the status in the headers of an empty HTTP 200 response, as grpc-dotnet
    /// itself sends an error before any message), with <c>retry-after-ms</c> when <paramref name="retryAfter"/> is given.
    /// </summary>
    public static void WriteTrailersOnly(HttpResponse response, StatusCode status, string message, TimeSpan? retryAfter = null)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
        if (retryAfter is { } delay)
        {
            response.Headers[RetryAfterTrailer] = RetryAfterValue(delay);
        }
    }

    /// <summary>The gRPC HTTP/2 percent-encoding of <c>grpc-message</c>: UTF-8, bytes outside 0x20-0x7E and '%' as %XX.</summary>
    public static string PercentEncode(string message)
    {
        var encoded = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
