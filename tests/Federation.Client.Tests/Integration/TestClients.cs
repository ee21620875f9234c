using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>SDK clients pointed at a test hub.</summary>
internal static class TestClients
{
    public static FederationClientOptions Options(HubInstance hub, string clientId, string secret, params string[] scopes)
    {
        var options = new FederationClientOptions
        {
            HubAddress = new Uri(hub.GrpcAddress),
            TokenEndpoint = new Uri(hub.Http.BaseAddress!, "connect/token"),
            ClientId = clientId,
            ClientSecret = secret,
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
        };
        foreach (var scope in scopes)
        {
            options.Scopes.Add(scope);
        }

        return options;
    }

    public static FederationClient Admin(HubInstance hub) =>
        new(Options(hub, HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin"));

    public static async Task<FederationClient> NewMemberAsync(HubFixture fixture, HubInstance? hub = null)
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        return new FederationClient(Options(hub ?? fixture.Hub, id, secret));
    }

    /// <summary>Waits for a condition, failing the test after <paramref name="timeout"/>.</summary>
    public static Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? details = null) =>
        Eventually.UntilAsync(condition, timeout, what, details);
}
