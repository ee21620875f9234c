using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Federation.Hub.Tests.HttpJson;

/// <summary>
/// A plain HTTP/1.1 client of the hub's HTTP/JSON routes: no gRPC library, only HttpClient, JSON text and a bearer
/// token, as a PHP, Ruby or Python member would call the hub.
/// </summary>
internal sealed class JsonApiClient(HttpClient http, string? token)
{
    /// <summary>Sends <paramref name="json"/> (or nothing) and returns the status and the parsed body.</summary>
    public async Task<JsonReply> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = Request(method, path, json);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new JsonReply(response, body);
    }

    public Task<JsonReply> PostAsync(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public Task<JsonReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <summary>Opens a streaming GET (the feed) and returns the response with its headers read.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, path, null);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}

/// <summary>An HTTP answer: status, headers and the body parsed as JSON (when it is JSON).</summary>
internal sealed class JsonReply
{
    public JsonReply(HttpResponseMessage response, string body)
    {
        Status = (int)response.StatusCode;
        Body = body;
        ContentType = response.Content.Headers.ContentType?.MediaType;
        RetryAfter = response.Headers.RetryAfter?.Delta;
        RetryAfterMs = response.Headers.TryGetValues("retry-after-ms", out var ms) ? ms.Single() : null;
        WwwAuthenticate = response.Headers.WwwAuthenticate.ToString();
        Json = body.Length > 0 && ContentType == "application/json" ? JsonDocument.Parse(body).RootElement.Clone() : default;
    }

    public int Status { get; }

    public string Body { get; }

    public string? ContentType { get; }

    public TimeSpan? RetryAfter { get; }

    public string? RetryAfterMs { get; }

    public string WwwAuthenticate { get; }

    public JsonElement Json { get; }

    /// <summary>google.rpc.Status "message".</summary>
    public string Message => Json.GetProperty("message").GetString()!;

    /// <summary>google.rpc.Status "code".</summary>
    public int Code => Json.GetProperty("code").GetInt32();

    /// <summary>The google.rpc.Status details of one type (by the end of its @type).</summary>
    public IEnumerable<JsonElement> Details(string type) =>
        Json.TryGetProperty("details", out var details)
            ? details.EnumerateArray().Where(d => d.GetProperty("@type").GetString()!.EndsWith("/google.rpc." + type, StringComparison.Ordinal))
            : [];

    public override string ToString() => $"{Status} {Body}";
}
