using Federation.Hub.Services;

namespace Federation.Hub.Extensions;

/// <summary>Signal submission, look-up, opinions and retraction.</summary>
public static class SignalsExtensions
{
    public static WebApplicationBuilder AddFederationSignals(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapFederationSignals(this WebApplication app)
    {
        app.MapGrpcService<SignalGrpcService>();
        return app;
    }
}
