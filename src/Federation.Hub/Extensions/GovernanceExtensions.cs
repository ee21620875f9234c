using Federation.Hub.Governance;
using Federation.Hub.Services;
using Federation.Hub.Storage;

namespace Federation.Hub.Extensions;

/// <summary>Coalition governance controls (docs/governance.md): the known-benign list, quarantine and overturn, appeal notices.</summary>
public static class GovernanceExtensions
{
    public static WebApplicationBuilder AddFederationGovernance(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BenignStore>();
        builder.Services.AddSingleton<KnownBenignList>();
        builder.Services.AddSingleton<GovernanceStore>();
        builder.Services.AddSingleton<AppealStore>();
        builder.Services.AddSingleton<SignalGovernance>();
        builder.Services.AddSingleton<MemberNotices>();
        builder.Services.AddSingleton<AppealDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AppealDispatcher>());
        builder.Services.AddSingleton<MatchRateMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MatchRateMonitor>());
        return builder;
    }

    public static WebApplication MapFederationGovernance(this WebApplication app)
    {
        app.MapGrpcService<GovernanceGrpcService>();
        return app;
    }
}
