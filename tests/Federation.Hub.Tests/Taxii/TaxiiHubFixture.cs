using Federation.Hub.Taxii;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Taxii;

/// <summary>A real hub and Redis with a short TAXII settle delay, so new signals become pageable within a fraction of a second.</summary>
public sealed class TaxiiHubFixture : HubFixture
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Federation:Taxii:SettleDelay"] = "00:00:00.200",
        ["Federation:Taxii:CoalitionName"] = "Test coalition",
    };

    // Until its start-up load is done the catalog answers 503 (as it should); the tests are about what comes after.
    protected override Task StartedAsync() =>
        Eventually.UntilAsync(() => Hub.Services.GetRequiredService<TaxiiCatalog>().IsLoaded, TimeSpan.FromSeconds(30), "the TAXII catalog to load");
}
