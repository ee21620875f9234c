using System.Collections.Immutable;
using System.Security.Claims;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Federation.Hub.Auth;

/// <summary>
/// Issues the access token of an authenticated member: subject = member id, the granted scopes, the hub's audience
/// (<see cref="TokenOptions.Audience"/>) and the member's <see cref="CredentialStamp"/>.
/// </summary>
public sealed class ClientCredentialsSignIn(IOptions<FederationOptions> options) : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    private readonly string audience = options.Value.Tokens.Audience;

    /// <summary>Registration of this handler with OpenIddict.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
            .UseSingletonHandler<ClientCredentialsSignIn>()
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        var scopes = (ImmutableArray<string>)context.Transaction.Properties[ClientCredentialsValidator.GrantedScopesProperty]!;
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, context.Request.ClientId);
        identity.SetClaim(CredentialStamp.Claim, (string)context.Transaction.Properties[ClientCredentialsValidator.CredentialStampProperty]!);
        identity.SetScopes(scopes);
        identity.SetAudiences(audience);
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
        return default;
    }
}
