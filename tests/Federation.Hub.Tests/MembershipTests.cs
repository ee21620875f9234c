using System.Net;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Tests;

/// <summary>Membership administration over real gRPC: admit, suspend, reinstate, rotate, remove, audit.</summary>
public sealed class MembershipTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private HubInstance Hub => fixture.Hub;

    [Fact]
    public async Task Created_member_gets_a_token_and_calls_the_hub()
    {
        var admin = await Hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest
        {
            MemberId = "acme-social",
            DisplayName = "Acme Social",
            Scopes = { "signals.read", "federation.admin" },
        });

        var token = await Hub.GetTokenAsync("acme-social", created.ClientSecret);
        var asMember = new MembershipService.MembershipServiceClient(Hub.Invoker(token));
        var self = await asMember.GetMemberAsync(new GetMemberRequest { MemberId = "acme-social" });

        Assert.Equal(MemberStatus.Active, created.Member.Status);
        Assert.StartsWith("fs_", created.ClientSecret, StringComparison.Ordinal);
        Assert.Equal("Acme Social", self.Member.DisplayName);
    }

    [Fact]
    public async Task New_member_without_scopes_gets_submit_and_read()
    {
        var admin = await Hub.AdminClientAsync();

        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "default-scopes" });

        Assert.Equal(["signals.read", "signals.submit"], created.Member.Scopes);
    }

    [Fact]
    public async Task Suspended_member_is_refused_at_once_and_works_again_after_reinstatement()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["federation.admin"]);
        var token = await Hub.GetTokenAsync(id, secret);
        var asMember = new MembershipService.MembershipServiceClient(Hub.Invoker(token));
        var admin = await Hub.AdminClientAsync();
        await asMember.GetStatsAsync(new GetStatsRequest());

        await admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = id, Reason = "investigation" });
        var refused = await Assert.ThrowsAsync<RpcException>(() => asMember.GetStatsAsync(new GetStatsRequest()).ResponseAsync);
        using var tokenWhileSuspended = await Hub.RequestTokenAsync(id, secret);
        await admin.ReinstateMemberAsync(new ReinstateMemberRequest { MemberId = id, Reason = "cleared" });
        var afterReinstatement = await asMember.GetStatsAsync(new GetStatsRequest());

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("suspended", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, tokenWhileSuspended.StatusCode);
        Assert.True(afterReinstatement.ActiveMembers >= 1);
    }

    [Fact]
    public async Task Rotated_credentials_refuse_the_old_secret_and_accept_the_new_one()
    {
        var (id, oldSecret) = await fixture.CreateMemberAsync();
        var admin = await Hub.AdminClientAsync();

        var rotated = await admin.RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = id });
        using var withOld = await Hub.RequestTokenAsync(id, oldSecret);
        using var withNew = await Hub.RequestTokenAsync(id, rotated.ClientSecret);

        Assert.NotEqual(oldSecret, rotated.ClientSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    [Fact]
    public async Task Removed_member_is_refused_for_good()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["federation.admin"]);
        var token = await Hub.GetTokenAsync(id, secret);
        var admin = await Hub.AdminClientAsync();

        var removed = await admin.RemoveMemberAsync(new RemoveMemberRequest { MemberId = id, Reason = "left the coalition" });
        var call = await Assert.ThrowsAsync<RpcException>(() =>
            new MembershipService.MembershipServiceClient(Hub.Invoker(token)).GetStatsAsync(new GetStatsRequest()).ResponseAsync);
        var reinstate = await Assert.ThrowsAsync<RpcException>(() =>
            admin.ReinstateMemberAsync(new ReinstateMemberRequest { MemberId = id }).ResponseAsync);
        var recreate = await Assert.ThrowsAsync<RpcException>(() =>
            admin.CreateMemberAsync(new CreateMemberRequest { MemberId = id }).ResponseAsync);

        Assert.Equal(MemberStatus.Removed, removed.Member.Status);
        Assert.Equal(StatusCode.PermissionDenied, call.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, reinstate.StatusCode);
        Assert.Equal(StatusCode.AlreadyExists, recreate.StatusCode);
    }

    [Theory]
    [InlineData("A-Upper", "member_id")]
    [InlineData("x", "member_id")]
    [InlineData("has space", "member_id")]
    public async Task Invalid_member_id_is_invalid_argument_naming_the_field(string memberId, string field)
    {
        var admin = await Hub.AdminClientAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.CreateMemberAsync(new CreateMemberRequest { MemberId = memberId }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_scope_on_create_is_invalid_argument()
    {
        var admin = await Hub.AdminClientAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "scope-test", Scopes = { "root" } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("root", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrator_cannot_suspend_itself()
    {
        var admin = await Hub.AdminClientAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = HubInstance.AdminId }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Get_unknown_member_is_not_found()
    {
        var admin = await Hub.AdminClientAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.GetMemberAsync(new GetMemberRequest { MemberId = "no-such-member" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task List_members_pages_through_everyone_in_order()
    {
        var admin = await Hub.AdminClientAsync();
        for (var i = 0; i < 5; i++)
        {
            await fixture.CreateMemberAsync();
        }

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await admin.ListMembersAsync(new ListMembersRequest { PageSize = 2, PageToken = token });
            Assert.True(page.Members.Count <= 2);
            seen.AddRange(page.Members.Select(m => m.MemberId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.True(seen.Count >= 6);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
    }

    [Fact]
    public async Task Every_admin_action_and_failed_credential_use_is_in_a_verified_audit_chain()
    {
        var (id, _) = await fixture.CreateMemberAsync();
        var admin = await Hub.AdminClientAsync();
        await admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = id, Reason = "audit-test" });
        await admin.ReinstateMemberAsync(new ReinstateMemberRequest { MemberId = id });
        await admin.RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = id });
        using var _ = await Hub.RequestTokenAsync(id, "fs_wrong");

        var events = new List<AuditEvent>();
        var token = "";
        do
        {
            var page = await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 3, PageToken = token });
            Assert.True(page.ChainVerified);
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var actions = events.Where(e => e.Subject == id).Select(e => e.Action).ToList();
        Assert.Equal(["member.create", "member.suspend", "member.reinstate", "member.rotate-credentials", "auth.failure"], actions);
        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
            Assert.Equal(events[i - 1].Sequence + 1, events[i].Sequence);
        }
    }

    [Fact]
    public async Task Secrets_and_tokens_never_appear_in_logs_or_in_redis()
    {
        var admin = await Hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "secret-keeper" });
        var token = await Hub.GetTokenAsync("secret-keeper", created.ClientSecret);
        var rotated = await admin.RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = "secret-keeper" });
        using var _ = await Hub.RequestTokenAsync("secret-keeper", created.ClientSecret);
        string[] secrets = [created.ClientSecret, rotated.ClientSecret, token, HubInstance.AdminSecret];

        var stored = await DumpRedisAsync(fixture.RedisConnection);
        var logs = string.Join('\n', Hub.Logs.Lines);

        Assert.NotEmpty(stored);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stats_count_members_by_status()
    {
        // Its own members (whatever else the class has made so far): the administrator and one active, one suspended.
        var (id, _) = await fixture.CreateMemberAsync();
        await fixture.CreateMemberAsync();
        var admin = await Hub.AdminClientAsync();
        await admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = id });

        var stats = await admin.GetStatsAsync(new GetStatsRequest());

        Assert.True(stats.ActiveMembers >= 2);
        Assert.True(stats.SuspendedMembers >= 1);
        Assert.True(stats.AuditEvents > 0);
    }

    /// <summary>Every value stored in Redis, as text.</summary>
    private static async Task<string> DumpRedisAsync(IConnectionMultiplexer redis)
    {
        var db = redis.GetDatabase();
        var text = new System.Text.StringBuilder();
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: "*"))
        {
            switch (await db.KeyTypeAsync(key))
            {
                case RedisType.Hash:
                    foreach (var e in await db.HashGetAllAsync(key))
                    {
                        text.Append(e.Name).Append('=').Append(e.Value).Append('\n');
                    }

                    break;
                case RedisType.String:
                    text.Append(await db.StringGetAsync(key)).Append('\n');
                    break;
                case RedisType.Stream:
                    foreach (var entry in await db.StreamRangeAsync(key))
                    {
                        foreach (var v in entry.Values)
                        {
                            text.Append(v.Name).Append('=').Append(v.Value).Append('\n');
                        }
                    }

                    break;
                default:
                    text.Append(key).Append('\n');
                    break;
            }
        }

        return text.ToString();
    }
}
