namespace Federation.Client.Tests;

public sealed class FederationClientOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5081", "http://127.0.0.1:5080/connect/token")]
    [InlineData("https://hub.example.org", "https://hub.example.org/connect/token")]
    [InlineData("https://hub.example.org:8443/", "https://hub.example.org:8443/connect/token")]
    public void Token_endpoint_is_derived_from_the_hub_address(string hub, string expected) =>
        Assert.Equal(new Uri(expected), new FederationClientOptions { HubAddress = new Uri(hub) }.ResolveTokenEndpoint());

    [Fact]
    public void Explicit_token_endpoint_wins() =>
        Assert.Equal(
            new Uri("http://auth.local/t"),
            new FederationClientOptions { HubAddress = new Uri("http://127.0.0.1:5081"), TokenEndpoint = new Uri("http://auth.local/t") }.ResolveTokenEndpoint());

    [Fact]
    public void Missing_credentials_are_refused_with_the_setting_named()
    {
        var error = Assert.Throws<ArgumentException>(() => new FederationClient(new FederationClientOptions { HubAddress = new Uri("http://127.0.0.1:1") }));

        Assert.Contains("ClientId", error.Message, StringComparison.Ordinal);
    }
}
