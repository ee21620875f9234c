using Federation.Hub.Admin;
using Federation.Hub.Services;

namespace Federation.Hub.Extensions;

/// <summary>Membership administration, audit and statistics.</summary>
public static class AdminExtensions
{
    public static WebApplicationBuilder AddFederationAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MembershipAdministration>();
        builder.Services.AddSingleton<HubStatistics>();
        builder.Services.AddHostedService<BootstrapAdministrator>();
        return builder;
    }

    public static WebApplication MapFederationAdmin(this WebApplication app)
    {
        app.MapGrpcService<MembershipGrpcService>();
        return app;
    }
}
