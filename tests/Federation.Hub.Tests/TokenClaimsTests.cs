using System.Net;
using System.Net.Http.Headers;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Hub.Tests;

/// <summary>
/// Correctly signed tokens with the wrong claims are refused (audience, nbf, iat, exp, credential stamp), rotation
/// revokes earlier tokens on every replica and ends their streams, and refusals are gRPC statuses that say why.
/// Real hub, real Redis, tokens signed with the hub's real key.
/// </summary>
public sealed class TokenClaimsTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private HubInstance Hub => fixture.Hub;

    [Fact]
    public async Task Forged_token_with_the_hubs_own_claims_is_accepted()
    {
        // The control: the forge mints what the hub accepts, so each refusal below is the claim's doing.
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin");

        var members = await Admin(token).ListMembersAsync(new ListMembersRequest());

        Assert.Contains(members.Members, m => m.MemberId == HubInstance.AdminId);
    }

    [Fact]
    public async Task Token_not_valid_before_an_hour_from_now_is_unauthenticated()
    {
        var later = DateTime.UtcNow.AddHours(1);
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin", notBefore: later, expires: later.AddMinutes(15));

        var error = await RefusedAsync(token);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("not valid yet", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_issued_an_hour_in_the_future_is_unauthenticated()
    {
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin", issuedAt: DateTime.UtcNow.AddHours(1));

        var error = await RefusedAsync(token);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("issued in the future", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_within_the_clock_skew_is_accepted()
    {
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin",
            notBefore: DateTime.UtcNow.AddSeconds(20), issuedAt: DateTime.UtcNow.AddSeconds(20));

        var members = await Admin(token).ListMembersAsync(new ListMembersRequest());

        Assert.NotEmpty(members.Members);
    }

    [Fact]
    public async Task Token_expired_beyond_the_clock_skew_is_unauthenticated()
    {
        var past = DateTime.UtcNow.AddMinutes(-20);
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin", notBefore: past, issuedAt: past, expires: past.AddMinutes(15));

        var error = await RefusedAsync(token);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("refused", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("some-other-api")]
    [InlineData(null)]
    public async Task Token_for_another_audience_or_none_is_unauthenticated(string? audience)
    {
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin", audience: audience);

        var error = await RefusedAsync(token);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("refused", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issued_token_carries_the_audience_and_the_credential_stamp()
    {
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(await Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin"));

        Assert.Contains(TokenForge.Audience, token.Audiences);
        Assert.True(token.TryGetPayloadValue<string>("fed_cst", out var stamp) && stamp.Length > 0);
    }

    [Fact]
    public async Task Token_without_the_credential_stamp_is_unauthenticated()
    {
        var token = await TokenForge.ForMemberAsync(Hub, HubInstance.AdminId, "federation.admin", stamp: null);

        var error = await RefusedAsync(token);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("rotated", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_revokes_earlier_tokens_on_every_replica_at_once()
    {
        await using var replica = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:SigningKeyPath"] = Path.Combine(Hub.DataPath, "keys", "signing-key.pem"),
        });
        var (id, secret) = await fixture.CreateMemberAsync();
        var old = await Hub.GetTokenAsync(id, secret);
        await Lookup(Hub, old);
        await Lookup(replica, old);

        var rotated = await (await Hub.AdminClientAsync()).RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = id });
        var onFirst = await Assert.ThrowsAsync<RpcException>(() => Lookup(Hub, old));
        var onReplica = await Assert.ThrowsAsync<RpcException>(() => Lookup(replica, old));
        var fresh = await replica.GetTokenAsync(id, rotated.ClientSecret);

        Assert.Equal(StatusCode.Unauthenticated, onFirst.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, onReplica.StatusCode);
        Assert.Contains("rotated", onReplica.Status.Detail, StringComparison.Ordinal);
        await Lookup(Hub, fresh);
        await Lookup(replica, fresh);
    }

    [Fact]
    public async Task Rotation_ends_streams_opened_with_an_earlier_token()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());
        await feed.WaitUntilAsync(u => u.Count > 0, "the first heartbeat");

        await (await Hub.AdminClientAsync()).RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = reader.Id });
        var ended = await feed.EndedWithAsync();

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains("rotated", ended.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_scope_is_permission_denied_naming_the_scope()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.read"]);

        var error = await RefusedAsync(await Hub.GetTokenAsync(id, secret));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("federation.admin", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_is_unauthenticated_saying_so()
    {
        var error = await RefusedAsync(null);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("No access token", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_is_a_trailers_only_grpc_response_not_a_bare_http_status()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Hub.GrpcAddress + "/federation.v1.MembershipService/ListMembers")
        {
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("16", response.Headers.GetValues("grpc-status").Single());
        Assert.Contains("refused", Uri.UnescapeDataString(response.Headers.GetValues("grpc-message").Single()), StringComparison.Ordinal);
    }

    private MembershipService.MembershipServiceClient Admin(string? token) => new(Hub.Invoker(token));

    private async Task<RpcException> RefusedAsync(string? token) =>
        await Assert.ThrowsAsync<RpcException>(() => Admin(token).ListMembersAsync(new ListMembersRequest()).ResponseAsync);

    private static async Task Lookup(HubInstance hub, string token) =>
        await new SignalService.SignalServiceClient(hub.Invoker(token)).LookupAsync(new LookupRequest
        {
            Queries = { new LookupQuery { Type = SignalType.Sha256, Value = FeedTestMember.RandomSha256() } },
        });
}
