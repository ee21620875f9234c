using Federation.Hub.Governance;
using Federation.Hub.Services;
using Federation.Hub.Storage;

namespace Federation.Hub.Extensions;

/// <summary>Coalition governance controls (docs/governance.md): the known-benign list.</summary>
public static class GovernanceExtensions
{
    public static WebApplicationBuilder AddFederationGovernance(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BenignStore>();
        builder.Services.AddSingleton<KnownBenignList>();
        return builder;
    }

    public static WebApplication MapFederationGovernance(this WebApplication app)
    {
        app.MapGrpcService<GovernanceGrpcService>();
        return app;
    }
}
