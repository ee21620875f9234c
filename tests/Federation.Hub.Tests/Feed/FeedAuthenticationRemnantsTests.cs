using System.Security.Claims;
using Federation.Hub.Feed;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Federation.Hub.Tests.Feed;

/// <summary>
/// What an admitted Subscribe empties of its authentication (AuthenticationRemnants): the claims, the validated token,
/// the result's ticket; and the private members it reaches still exist in this framework version.
/// </summary>
public sealed class FeedAuthenticationRemnantsTests
{
    [Fact]
    public void Emptying_a_principal_removes_its_claims_and_validated_token()
    {
        var identity = new CaseSensitiveClaimsIdentity([new Claim("sub", "member-1"), new Claim("scope", "federation.read")], "Bearer");
        var token = new JsonWebToken(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Issuer = "https://hub.test" }));
        SetToken(identity, token);
        identity.BootstrapContext = "raw token";
        var principal = new ClaimsPrincipal(identity);

        AuthenticationRemnants.Empty(principal);

        Assert.Empty(principal.Claims);
        Assert.Null(identity.SecurityToken);
        Assert.Null(identity.BootstrapContext);
    }

    [Fact]
    public void Forgetting_a_result_drops_its_ticket_and_empties_its_principal()
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "member-1")], "Bearer"));
        var properties = new AuthenticationProperties(new Dictionary<string, string?> { [".Token.access_token"] = "raw token" });
        var result = AuthenticateResult.Success(new AuthenticationTicket(principal, properties, "Bearer"));

        AuthenticationRemnants.Forget(result);

        Assert.Null(result.Ticket);
        Assert.Empty(principal.Claims);
        Assert.Empty(properties.Items);
    }

    [Fact]
    public void The_authentication_service_transform_cache_is_reachable()
    {
        using var services = new ServiceCollection().AddLogging().AddAuthentication().Services.BuildServiceProvider();
        using var scope = services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<IAuthenticationService>();

        // Throws MissingFieldException should a framework version rename AuthenticationService._transformCache.
        Assert.False(AuthenticationRemnants.HoldsTransformed(service));
        AuthenticationRemnants.ForgetTransformed(service);
    }

    // The token setter is internal to IdentityModel (the handler sets it when it validates).
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Method, Name = "set_SecurityToken")]
    private static extern void SetToken(CaseSensitiveClaimsIdentity identity, SecurityToken token);
}
