using Federation.Hub.Options;
using Federation.Hub.Taxii;

namespace Federation.Hub.Extensions;

/// <summary>The read-only TAXII 2.1 server on the HTTP/1.1 port (docs/taxii.md).</summary>
public static class TaxiiExtensions
{
    public static WebApplicationBuilder AddFederationTaxii(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FederationOptions>()
            .Validate(o => o.Taxii.DefaultPageSize <= o.Taxii.MaxPageSize, "Federation:Taxii:DefaultPageSize must not exceed MaxPageSize.")
            .Validate(o => o.Taxii.SettleDelay >= TimeSpan.Zero && o.Taxii.SettleDelay <= TimeSpan.FromMinutes(1), "Federation:Taxii:SettleDelay must be between 0 and 1 minute.")
            .Validate(o => o.Taxii.CatchUpWait > TimeSpan.Zero && o.Taxii.CatchUpWait <= TimeSpan.FromMinutes(1), "Federation:Taxii:CatchUpWait must be positive and at most 1 minute.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Taxii.CoalitionName), "Federation:Taxii:CoalitionName must not be empty.");
        if (!FederationOptions.From(builder.Configuration).Taxii.Enabled)
        {
            return builder;
        }

        builder.Services.AddSingleton<TaxiiCatalog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TaxiiCatalog>());
        builder.Services.AddSingleton<TaxiiApi>();
        return builder;
    }

    public static WebApplication MapFederationTaxii(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FederationOptions>>().Value.Taxii.Enabled)
        {
            return app;
        }

        // Authentication is checked by the filter (TAXII error bodies), not by RequireAuthorization (bare 401/403).
        var taxii = app.MapGroup("/taxii2").AddEndpointFilter<TaxiiAccessFilter>();
        taxii.MapGet("/", (HttpContext http, TaxiiApi api) => Run(api.DiscoveryAsync(http)));
        var root = taxii.MapGroup("/api");
        root.MapGet("/", (HttpContext http, TaxiiApi api) => Run(api.ApiRootAsync(http)));
        root.MapGet("/collections/", (HttpContext http, TaxiiApi api) => Run(api.CollectionsAsync(http)));
        root.MapGet("/collections/{collectionId}/", (HttpContext http, TaxiiApi api, string collectionId) => Run(api.CollectionAsync(http, collectionId)));
        root.MapGet("/collections/{collectionId}/objects/", (HttpContext http, TaxiiApi api, string collectionId) => Run(api.ObjectsAsync(http, collectionId)));
        root.MapGet("/collections/{collectionId}/objects/{objectId}/", (HttpContext http, TaxiiApi api, string collectionId, string objectId) =>
            Run(api.ObjectAsync(http, collectionId, objectId)));
        root.MapGet("/collections/{collectionId}/objects/{objectId}/versions/", (HttpContext http, TaxiiApi api, string collectionId, string objectId) =>
            Run(api.VersionsAsync(http, collectionId, objectId)));
        root.MapGet("/collections/{collectionId}/manifest/", (HttpContext http, TaxiiApi api, string collectionId) => Run(api.ManifestAsync(http, collectionId)));
        return app;
    }

    private static async Task<IResult> Run(Task handler)
    {
        await handler.ConfigureAwait(false);
        return Results.Empty;
    }
}
