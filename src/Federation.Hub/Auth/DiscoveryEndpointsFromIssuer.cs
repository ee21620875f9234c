using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Federation.Hub.Auth;

/// <summary>
/// Advertises the token and key endpoints under the configured issuer in the discovery document
/// (<c>/.well-known/openid-configuration</c>). OpenIddict builds them from the address the request came in on, but a
/// client that asks the hub's gRPC port (HTTP/2 only without TLS) must be told the issuer's endpoint, which every
/// client can reach with HTTP/1.1 — the public URL behind a load balancer, or the hub's HTTP port locally.
/// </summary>
public sealed class DiscoveryEndpointsFromIssuer : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    /// <summary>Registration of this handler with OpenIddict: after the built-in handler that attaches the endpoints.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryEndpointsFromIssuer>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachEndpoints.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        var issuer = context.Options.Issuer;
        if (issuer is not null)
        {
            context.TokenEndpoint = Under(issuer, context.TokenEndpoint);
            context.JsonWebKeySetEndpoint = Under(issuer, context.JsonWebKeySetEndpoint);
        }

        return default;
    }

    private static Uri? Under(Uri issuer, Uri? endpoint) =>
        endpoint is null ? null : new Uri(issuer, endpoint.AbsolutePath.TrimStart('/'));
}
