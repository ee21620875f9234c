using System.Net.Http.Headers;
using System.Text.Json;

namespace Federation.Hub.Tests.Taxii;

/// <summary>A plain HttpClient speaking TAXII 2.1 with a bearer token: no TAXII or gRPC library.</summary>
public sealed class TaxiiClient(HttpClient http, string? token)
{
    /// <summary>The API root path of the hub.</summary>
    public const string Root = "taxii2/api/";

    public async Task<TaxiiResponse> GetAsync(string path, string accept = TaxiiValidator.TaxiiMediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        TaxiiValidator.MediaType(response);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
        return new TaxiiResponse((int)response.StatusCode, json, body, Header("X-TAXII-Date-Added-First"), Header("X-TAXII-Date-Added-Last"),
            response.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>GET that must succeed; validates the envelope, manifest or versions shape by path.</summary>
    public async Task<TaxiiResponse> GetOkAsync(string path)
    {
        var response = await GetAsync(path);
        Assert.True(response.Status == 200, $"GET {path}: {response.Status} {response.Body}");
        return response;
    }

    public async Task<JsonElement> ObjectsAsync(string collection, string query = "")
    {
        var response = await GetOkAsync($"{Root}collections/{collection}/objects/{query}");
        TaxiiValidator.Envelope(response.Json);
        return response.Json;
    }
}

/// <summary>A TAXII response: status, parsed body, the date-added headers.</summary>
public sealed record TaxiiResponse(int Status, JsonElement Json, string Body, string? DateAddedFirst, string? DateAddedLast, string WwwAuthenticate)
{
    public IEnumerable<JsonElement> Objects => Json.TryGetProperty("objects", out var objects) ? objects.EnumerateArray() : [];

    public bool More => Json.TryGetProperty("more", out var more) && more.GetBoolean();

    public string? Next => Json.TryGetProperty("next", out var next) ? next.GetString() : null;
}
