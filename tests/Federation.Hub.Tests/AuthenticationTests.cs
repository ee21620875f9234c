using System.Net;
using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Federation.Hub.Tests;

/// <summary>The token endpoint and bearer-token checks of gRPC calls, over real HTTP and gRPC.</summary>
public sealed class AuthenticationTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private HubInstance Hub => fixture.Hub;

    [Fact]
    public async Task Wrong_secret_gets_401_invalid_client()
    {
        var (id, _) = await fixture.CreateMemberAsync();

        using var response = await Hub.RequestTokenAsync(id, "fs_not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_client", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_client_gets_401_invalid_client()
    {
        using var response = await Hub.RequestTokenAsync("nobody-here", "whatever");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_scope_gets_400_invalid_scope()
    {
        var (id, secret) = await fixture.CreateMemberAsync();

        using var response = await Hub.RequestTokenAsync(id, secret, "signals.delete-everything");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_scope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scope_the_member_does_not_hold_is_refused_at_the_token_endpoint()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.read"]);

        using var response = await Hub.RequestTokenAsync(id, secret, "federation.admin");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_scope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_without_token_is_unauthenticated()
    {
        var client = new MembershipService.MembershipServiceClient(Hub.Invoker(null));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMembersAsync(new ListMembersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Signal_call_without_token_is_unauthenticated()
    {
        var client = new SignalService.SignalServiceClient(Hub.Invoker(null));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.LookupAsync(new LookupRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_unauthenticated()
    {
        using var rsa = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://federation.test/",
            Claims = new Dictionary<string, object> { ["sub"] = HubInstance.AdminId, ["scope"] = "federation.admin" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "forged" }, SecurityAlgorithms.RsaSha256),
        });
        var client = new MembershipService.MembershipServiceClient(Hub.Invoker(forged));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMembersAsync(new ListMembersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Tampered_token_is_unauthenticated()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.read"]);
        var token = await Hub.GetTokenAsync(id, secret);
        var parts = token.Split('.');
        // Claim the admin scope in the payload while keeping the original signature.
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("signals.read", "federation.admin", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        var client = new MembershipService.MembershipServiceClient(Hub.Invoker(tampered));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMembersAsync(new ListMembersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Expired_token_is_unauthenticated()
    {
        await using var shortLived = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:AccessTokenLifetime"] = "00:00:01",
            // No clock skew, so the test waits for the token's expiry only (the default skew is 60 s).
            ["Federation:Tokens:ClockSkew"] = "00:00:00",
        });
        var token = await shortLived.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        var expires = new JsonWebToken(token).ValidTo;
        var client = new MembershipService.MembershipServiceClient(shortLived.Invoker(token));

        // Wait on the condition (the token's own expiry), not a fixed delay.
        while (DateTime.UtcNow <= expires.AddMilliseconds(50))
        {
            await Task.Delay(50);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMembersAsync(new ListMembersRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Wrong_scope_is_permission_denied()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.read", "signals.submit"]);
        var client = new MembershipService.MembershipServiceClient(Hub.Invoker(await Hub.GetTokenAsync(id, secret)));

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMembersAsync(new ListMembersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Token_is_a_signed_jwt_verifiable_from_the_published_keys()
    {
        var token = await Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        var jwks = new JsonWebKeySet(await Hub.Http.GetStringAsync(".well-known/jwks"));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "http://federation.test/",
            ValidateAudience = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(HubInstance.AdminId, result.ClaimsIdentity.FindFirst("sub")?.Value);
    }

    [Fact]
    public async Task Signing_key_survives_a_restart_so_issued_tokens_stay_valid()
    {
        var dataPath = Directory.CreateTempSubdirectory("federation-restart-").FullName;
        string token;
        await using (var first = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath))
        {
            token = await first.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        }

        await using var second = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath);
        var client = new MembershipService.MembershipServiceClient(second.Invoker(token));

        var members = await client.ListMembersAsync(new ListMembersRequest());

        Assert.Contains(members.Members, m => m.MemberId == HubInstance.AdminId);
    }
}
