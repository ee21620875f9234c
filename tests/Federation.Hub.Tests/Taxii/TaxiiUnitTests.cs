using Federation.Hub.Taxii;
using Microsoft.AspNetCore.Http;

namespace Federation.Hub.Tests.Taxii;

/// <summary>The pure parts of the TAXII server: ids, next tokens, the Accept rule.</summary>
public sealed class TaxiiUnitTests
{
    [Fact]
    public void Indicator_id_is_the_rfc_9562_uuid5_of_the_record_id()
    {
        // Known answer from Python's uuid.uuid5 (an independent implementation) in the hub's namespace.
        var id = StixIds.Indicator("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

        Assert.Equal(Guid.Parse("832eba04-9d37-5561-8d4e-f213b33e2c1d"), id);
    }

    [Fact]
    public void Coalition_collection_id_is_the_one_the_readme_shows()
    {
        Assert.Equal("1f7499dc-b8f6-5af9-817e-f14840f62ac8", StixIds.Collection(""));
    }

    [Fact]
    public void Group_record_and_coalition_record_have_different_ids()
    {
        const string Signal = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

        Assert.NotEqual(StixIds.Indicator(Signal), StixIds.Indicator(Signal + "@fin"));
    }

    [Fact]
    public void Next_token_round_trips_and_rejects_anything_else()
    {
        var position = new CatalogPosition(1_764_000_000_123, Guid.NewGuid());

        Assert.True(CatalogPosition.TryParseToken(position.ToToken(), out var parsed));
        Assert.Equal(position, parsed);
        Assert.False(CatalogPosition.TryParseToken("nonsense", out _));
        Assert.False(CatalogPosition.TryParseToken(new string('!', 32), out _));
    }

    [Fact]
    public void Added_after_position_follows_every_object_of_that_millisecond()
    {
        var after = CatalogPosition.After(1000);

        Assert.True(new CatalogPosition(1000, Guid.Parse("ffffffff-ffff-ffff-ffff-fffffffffffe")) < after);
        Assert.True(new CatalogPosition(1001, Guid.Empty) > after);
    }

    [Theory]
    [InlineData("application/taxii+json;version=2.1", true)]
    [InlineData("application/taxii+json; version=2.1", true)]
    [InlineData("application/taxii+json", true)]
    [InlineData("application/json, application/taxii+json;version=2.1;q=0.5", true)]
    [InlineData("*/*", true)]
    [InlineData("application/taxii+json;version=2.0", false)]
    [InlineData("application/json", false)]
    [InlineData("application/taxii+json;version=2.1;q=0", false)]
    [InlineData("", false)]
    public void Accept_rule(string accept, bool acceptable)
    {
        var context = new DefaultHttpContext();
        if (accept.Length > 0)
        {
            context.Request.Headers.Accept = accept;
        }

        Assert.Equal(acceptable, TaxiiMediaTypes.IsAcceptable(context.Request));
    }
}
