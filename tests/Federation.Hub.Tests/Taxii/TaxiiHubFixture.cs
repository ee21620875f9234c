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
}
