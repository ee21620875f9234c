using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;

namespace Federation.Hub.Tests.Governance;

/// <summary>Clients of the governance tests: the administrators' governance service, and a member holding the administrator scope too.</summary>
public static class GovernanceTestKit
{
    public static async Task<GovernanceService.GovernanceServiceClient> GovernanceClientAsync(this HubFixture fixture) =>
        new(fixture.Hub.Invoker(await fixture.Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin")));

    /// <summary>A member with the read and administrator scopes: looks signals up as an administrator would.</summary>
    public static async Task<SignalMember> CreateAdministratorMemberAsync(this HubFixture fixture)
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.submit", "signals.read", "federation.admin"]);
        return new SignalMember(id, new SignalService.SignalServiceClient(fixture.Hub.Invoker(await fixture.Hub.GetTokenAsync(id, secret))));
    }

    public static async Task OpinionAsync(this SignalMember member, string sha256, Opinion opinion) =>
        await member.Client.SetOpinionAsync(new SetOpinionRequest { Signal = SignalTestKit.Ref(sha256), Opinion = opinion });
}
