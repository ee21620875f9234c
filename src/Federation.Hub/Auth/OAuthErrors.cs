using System.Text.Json;
using Federation.Hub.Grpc;

namespace Federation.Hub.Auth;

/// <summary>Writes an OAuth 2.0 error response (RFC 6749 §5.2: JSON <c>error</c> and <c>error_description</c>, no caching).</summary>
public static class OAuthErrors
{
    /// <summary>Answers with <paramref name="status"/>, the OAuth error and, when given, a Retry-After in whole seconds (at least 1).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string error, string description, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = GrpcResponses.RetryAfterSeconds(wait);
        }

        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteString("error", error);
        json.WriteString("error_description", description);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
