using Federation.Hub.Auth;
using Federation.Hub.Storage;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// Mints access tokens signed with a hub's real signing key (its data folder's <c>keys/signing-key.pem</c>), with
/// the claims a test chooses, through IdentityModel's JsonWebTokenHandler: what an attacker holding a correctly
/// signed but mis-claimed token would present.
/// </summary>
public static class TokenForge
{
    /// <summary>The audience the test hubs issue and require (the default).</summary>
    public const string Audience = "federation-hub";

    /// <summary>A token for <paramref name="memberId"/> with its current credential stamp unless <paramref name="stamp"/> overrides it.</summary>
    public static async Task<string> ForMemberAsync(
        HubInstance hub, string memberId, string scope, string? audience = Audience, DateTime? notBefore = null,
        DateTime? issuedAt = null, DateTime? expires = null, string? stamp = "current")
    {
        var member = await hub.Services.GetRequiredService<MemberStore>().GetAsync(memberId) ?? throw new InvalidOperationException("no such member");
        var claims = new Dictionary<string, object> { ["sub"] = memberId, ["scope"] = scope, ["jti"] = Guid.NewGuid().ToString() };
        if (stamp is not null)
        {
            claims[CredentialStamp.Claim] = stamp == "current" ? CredentialStamp.Of(member) : stamp;
        }

        var now = DateTime.UtcNow;
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = "http://federation.test/",
            Audience = audience,
            Claims = claims,
            NotBefore = notBefore ?? now,
            IssuedAt = issuedAt ?? now,
            Expires = expires ?? now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(SigningKeys.Load("", hub.DataPath), SecurityAlgorithms.RsaSha256),
        });
    }
}
