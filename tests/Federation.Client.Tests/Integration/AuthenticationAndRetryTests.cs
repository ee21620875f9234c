using Federation.Client.Auth;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Client.Tests.Integration;

public sealed class AuthenticationAndRetryTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Token_is_renewed_after_it_expires()
    {
        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:AccessTokenLifetime"] = "00:00:02",
            // No clock skew (the default 60 s would keep the token valid a minute past its expiry).
            ["Federation:Tokens:ClockSkew"] = "00:00:00",
        });
        using var client = TestClients.Admin(hub);
        await client.Membership.GetStatsAsync();
        var firstToken = await client.GetAccessTokenAsync();
        var requestsBefore = client.Tokens.Requests;

        // Token lifetime is the property under test: wait until the hub itself refuses the first token.
        var stats = new MembershipService.MembershipServiceClient(hub.Invoker(firstToken));
        await TestClients.EventuallyAsync(
            () => Refused(() => stats.GetStats(new GetStatsRequest())), TimeSpan.FromSeconds(10), "the first token to expire");
        var after = await client.Membership.GetStatsAsync();

        Assert.True(after.ActiveMembers >= 1);
        Assert.True(client.Tokens.Requests > requestsBefore);
        Assert.NotEqual(firstToken, await client.GetAccessTokenAsync());
    }

    [Fact]
    public async Task Token_refused_by_the_hub_is_renewed_once_and_the_call_succeeds()
    {
        using var client = TestClients.Admin(fixture.Hub);
        client.Tokens.Plant("not-a-token", DateTimeOffset.UtcNow.AddHours(1));

        var stats = await client.Membership.GetStatsAsync();

        Assert.True(stats.ActiveMembers >= 1);
        Assert.Equal(1, client.Tokens.Requests);
    }

    [Fact]
    public async Task Wrong_secret_fails_with_invalid_client_without_retries()
    {
        using var client = new FederationClient(TestClients.Options(fixture.Hub, HubInstance.AdminId, "wrong-secret-0123456789abcdef", "federation.admin"));

        var error = await Assert.ThrowsAsync<FederationAuthenticationException>(() => client.Membership.GetStatsAsync());

        Assert.Equal("invalid_client", error.Error);
        Assert.Equal(1, client.Tokens.Requests);
    }

    [Fact]
    public async Task Member_without_admin_scope_is_refused_with_permission_denied()
    {
        using var member = await TestClients.NewMemberAsync(fixture);

        var error = await Assert.ThrowsAsync<FederationException>(() => member.Membership.GetStatsAsync());

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Call_waits_with_backoff_for_a_hub_that_starts_late()
    {
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var options = new FederationClientOptions
        {
            HubAddress = new Uri($"http://127.0.0.1:{grpcPort}"),
            TokenEndpoint = new Uri($"http://127.0.0.1:{httpPort}/connect/token"),
            ClientId = HubInstance.AdminId,
            ClientSecret = HubInstance.AdminSecret,
            MaxRetryAttempts = 12,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
        };
        options.Scopes.Add("federation.admin");
        using var client = new FederationClient(options);
        var call = client.Membership.GetStatsAsync();
        await TestClients.EventuallyAsync(() => client.Tokens.Requests >= 2, TimeSpan.FromSeconds(10), "a retried token request");

        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.True((await call).ActiveMembers >= 1);
    }

    [Fact]
    public async Task Unreachable_hub_fails_with_unavailable_after_the_retries()
    {
        var port = LocalRedisServer.FreeLoopbackPort();
        var options = TestClients.Options(fixture.Hub, HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        options.HubAddress = new Uri($"http://127.0.0.1:{port}");
        options.MaxRetryAttempts = 2;
        using var client = new FederationClient(options);

        var error = await Assert.ThrowsAsync<FederationException>(() => client.Membership.GetStatsAsync());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Dependency_injection_registers_a_working_client()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFederationClient(o =>
        {
            var options = TestClients.Options(fixture.Hub, HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
            o.HubAddress = options.HubAddress;
            o.TokenEndpoint = options.TokenEndpoint;
            o.ClientId = options.ClientId;
            o.ClientSecret = options.ClientSecret;
            o.Scopes.Add("federation.admin");
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<FederationClient>();

        Assert.True((await client.Membership.GetStatsAsync()).ActiveMembers >= 1);
    }

    [Fact]
    public async Task Administrator_manages_a_member_through_the_sdk()
    {
        using var admin = TestClients.Admin(fixture.Hub);
        var id = "sdk-" + Guid.NewGuid().ToString("N")[..12];

        var created = await admin.Membership.CreateAsync(id, "SDK Test Co", sharingGroups: ["nordic"]);
        var suspended = await admin.Membership.SuspendAsync(id, "test");
        var reinstated = await admin.Membership.ReinstateAsync(id, "test over");
        var rotated = await admin.Membership.RotateCredentialsAsync(id);
        var listed = await admin.Membership.ListAsync(pageSize: 1).Select(m => m.MemberId).ToListAsync();
        var removed = await admin.Membership.RemoveAsync(id, "done");
        var audit = await admin.Membership.ListAuditPageAsync(pageSize: 1000);

        Assert.False(string.IsNullOrEmpty(created.ClientSecret));
        Assert.Equal(MemberStatus.Suspended, suspended.Status);
        Assert.Equal(MemberStatus.Active, reinstated.Status);
        Assert.NotEqual(created.ClientSecret, rotated.ClientSecret);
        Assert.Contains(id, listed);
        Assert.Equal(MemberStatus.Removed, removed.Status);
        Assert.True(audit.ChainVerified);
        Assert.Contains(audit.Events, e => e.Action == "member.suspend" && e.Subject == id);
    }

    [Fact]
    public async Task Invalid_argument_names_the_rejected_field()
    {
        using var admin = TestClients.Admin(fixture.Hub);

        var error = await Assert.ThrowsAsync<FederationException>(() => admin.Membership.CreateAsync("Not A Valid Id!", "Bad id"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("member_id", Assert.Single(error.FieldViolations).Field);
        Assert.Contains("member_id", error.Message, StringComparison.Ordinal);
    }

    private static bool Refused(Action call)
    {
        try
        {
            call();
            return false;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
        {
            return true;
        }
    }
}
