using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Federation.Client.Auth;

/// <summary>
/// Finds the token endpoint when <see cref="FederationClientOptions.TokenEndpoint"/> is not set: asks the hub itself
/// for its OpenID Connect discovery document (<c>/.well-known/openid-configuration</c>) on the gRPC address — over
/// HTTP/2 with prior knowledge on a plaintext address, since that port speaks only HTTP/2 — and takes its
/// <c>token_endpoint</c>, which the hub builds from its configured issuer. Only if the hub does not answer with one
/// (an older hub, a proxy that forwards gRPC only) does it fall back to <see cref="FederationClientOptions.ResolveTokenEndpoint"/>.
/// The answer is cached for the life of the client; a failed discovery is retried on the next token request.
/// Requests go through the client's token <see cref="HttpClient"/>.
/// </summary>
internal sealed class TokenEndpointDiscovery(FederationClientOptions options, HttpClient http, ILogger logger)
{
    private Uri? resolved = options.TokenEndpoint;

    /// <summary>The token endpoint to use.</summary>
    public async ValueTask<Uri> GetAsync(CancellationToken cancellationToken)
    {
        if (resolved is not null)
        {
            return resolved;
        }

        var discovered = await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        if (discovered is null)
        {
            // Not cached: the hub may answer discovery once it is reachable.
            return options.ResolveTokenEndpoint();
        }

        resolved = discovered;
        return discovered;
    }

    private async Task<Uri?> DiscoverAsync(CancellationToken cancellationToken)
    {
        var hub = options.HubAddress!;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(hub, "/.well-known/openid-configuration"));
        if (hub.Scheme == Uri.UriSchemeHttp)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogDebug("Token endpoint discovery at {Hub}: HTTP {Status}; deriving it from the hub address", hub, (int)response.StatusCode);
                return null;
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.TryGetProperty("token_endpoint", out var endpoint) &&
                Uri.TryCreate(endpoint.GetString(), UriKind.Absolute, out var uri) &&
                (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                logger.LogDebug("Discovered the token endpoint {Endpoint} from {Hub}", uri, hub);
                return uri;
            }

            logger.LogDebug("The discovery document at {Hub} names no token endpoint; deriving it from the hub address", hub);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("Token endpoint discovery at {Hub} failed ({Error}); deriving it from the hub address", hub, e.Message);
            return null;
        }
    }
}
