using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>The SDK's confidence / share-level path against a real hub: labels submitted, filtered look-up, refusals.</summary>
public sealed class ShareLevelLookupTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Lookup_filter_returns_only_matches_within_the_bounds()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var sure = SignalCallTests.Sha256Item();
        sure.Confidence = 90;
        sure.ShareLevel = ShareLevel.Clear;
        var amber = SignalCallTests.Sha256Item();
        amber.Confidence = 95;
        amber.ShareLevel = ShareLevel.Amber;
        await client.SubmitAsync([sure, amber]);
        var queries = new[] { sure, amber }.Select(i => new LookupQuery { Type = i.Type, Value = i.Value }).ToList();

        var filtered = await client.LookupAsync(queries, new LookupFilter { MinConfidence = 80, MaxShareLevel = ShareLevel.Green });
        var all = await client.LookupAsync(queries);

        Assert.Equal(ShareLevel.Clear, Assert.Single(filtered[0].Matches).Signal.ShareLevel);
        Assert.Empty(filtered[1].Matches);
        Assert.Equal(95u, Assert.Single(all[1].Matches).Signal.Confidence);
    }

    [Fact]
    public async Task A_red_item_is_listed_among_the_rejections_with_its_reason()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var red = SignalCallTests.Sha256Item();
        red.ShareLevel = ShareLevel.Red;

        var result = await client.SubmitAsync([red, SignalCallTests.Sha256Item()]);

        Assert.Equal(1, result.Created);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal("items[0].share_level", rejection.Error.Field);
        Assert.StartsWith("share_level.red:", rejection.Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bound_out_of_range_is_a_federation_exception_with_invalid_argument()
    {
        using var client = await TestClients.NewMemberAsync(fixture);

        var error = await Assert.ThrowsAsync<FederationException>(() =>
            client.LookupAsync([new LookupQuery { Type = SignalType.Sha256, Value = new string('a', 64) }], new LookupFilter { MinConfidence = 101 }));

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
    }
}
