using System.Globalization;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>With no token endpoint configured, the SDK (and so fedctl) asks the hub where it is, whatever its ports.</summary>
public sealed class TokenEndpointDiscoveryTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Token_endpoint_is_discovered_from_the_hub_on_non_adjacent_ports()
    {
        // Two free ports are almost never adjacent; the issuer is the hub's real HTTP address, as in a real deployment.
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        while (grpcPort == httpPort + 1)
        {
            grpcPort = LocalRedisServer.FreeLoopbackPort();
        }

        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Federation:Issuer"] = $"http://127.0.0.1:{httpPort}/",
        });
        var options = TestClients.Options(hub, HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        options.TokenEndpoint = null;
        using var client = new FederationClient(options);

        var stats = await client.Membership.GetStatsAsync();

        Assert.True(stats.ActiveMembers >= 1);
        Assert.NotEqual(new Uri($"http://127.0.0.1:{httpPort}/connect/token"), options.ResolveTokenEndpoint());
    }
}
