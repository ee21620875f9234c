using Federation.Hub.Storage;

namespace Federation.Hub.Extensions;

/// <summary>Builds the hub; this is the table of contents of its wiring.</summary>
public static class HubApplication
{
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Federation:Redis=...</c>).</param>
    /// <param name="configure">Extra configuration applied before wiring (tests use it).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.AddFederationHosting();
        // Before the request decoding, which replaces the method binder that each AddGrpc() registers.
        builder.AddFederationHttpJson();
        builder.AddFederationGrpcStandardServices();
        builder.AddFederationHealth();
        builder.AddFederationTelemetry();
        builder.AddFederationRequestDecoding();
        builder.AddFederationRedis();
        builder.AddFederationAuth();
        builder.AddFederationAdmin();
        builder.AddFederationSignals();
        builder.AddFederationFeed();
        builder.AddFederationFairness();
        builder.AddFederationTaxii();
        builder.AddFederationGovernance();

        var app = builder.Build();
        app.UseFederationRequestDecoding();
        app.UseFederationHttpJson();
        app.UseFederationAuth();
        app.UseFederationFairness();
        app.MapFederationHealth();
        app.MapFederationAdmin();
        app.MapFederationSignals();
        app.MapFederationFeed();
        app.MapFederationTaxii();
        app.MapFederationOpenApi();
        app.MapFederationGrpcStandardServices();
        app.MapFederationGovernance();
        return app;
    }
}
