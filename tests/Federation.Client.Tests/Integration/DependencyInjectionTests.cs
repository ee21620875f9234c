using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Federation.Client.Tests.Integration;

/// <summary>The SDK as .NET applications wire it: options from configuration, validated on start, substitutable in tests.</summary>
public sealed class DependencyInjectionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Client_is_configured_from_a_configuration_section()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Federation:Client:HubAddress"] = fixture.Hub.GrpcAddress,
            ["Federation:Client:TokenEndpoint"] = new Uri(fixture.Hub.Http.BaseAddress!, "connect/token").ToString(),
            ["Federation:Client:ClientId"] = HubInstance.AdminId,
            ["Federation:Client:ClientSecret"] = HubInstance.AdminSecret,
            ["Federation:Client:Scopes:0"] = "federation.admin",
            ["Federation:Client:MaxRetryAttempts"] = "2",
        });
        builder.Services.AddFederationClient(builder.Configuration.GetSection(FederationClientServiceCollectionExtensions.DefaultSection));
        using var host = builder.Build();
        await host.StartAsync();

        await using var client = host.Services.GetRequiredService<FederationClient>();
        var stats = await client.Membership.GetStatsAsync();
        await host.StopAsync();

        Assert.True(stats.ActiveMembers >= 1);
        Assert.Equal(2, client.Options.MaxRetryAttempts);
        Assert.Equal(["federation.admin"], client.Options.Scopes);
    }

    [Fact]
    public async Task Grpc_calls_go_through_the_named_http_handler_pipeline_the_application_configures()
    {
        var builder = Host.CreateApplicationBuilder();
        var seen = new RecordingHandler();
        builder.Services.AddFederationClient(options =>
        {
            options.HubAddress = new Uri(fixture.Hub.GrpcAddress);
            options.TokenEndpoint = new Uri(fixture.Hub.Http.BaseAddress!, "connect/token");
            options.ClientId = HubInstance.AdminId;
            options.ClientSecret = HubInstance.AdminSecret;
            options.Scopes.Add("federation.admin");
        });
        // What an application adds for a proxy, client certificates or its own telemetry: the SDK's channel uses it.
        builder.Services.AddHttpClient(FederationClientServiceCollectionExtensions.GrpcHttpClientName).AddHttpMessageHandler(() => seen);
        using var host = builder.Build();
        await host.StartAsync();

        await using var client = host.Services.GetRequiredService<FederationClient>();
        await client.Membership.GetStatsAsync();
        await host.StopAsync();

        Assert.Contains("/federation.v1.MembershipService/GetStats", seen.Paths);
        Assert.All(seen.Versions, v => Assert.Equal(new Version(2, 0), v));
    }

    private sealed class RecordingHandler : DelegatingHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Paths { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<Version> Versions { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Paths.Enqueue(request.RequestUri!.AbsolutePath);
            Versions.Enqueue(request.Version);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Missing_setting_stops_the_host_at_start_naming_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Federation:Client:HubAddress"] = "http://127.0.0.1:5081",
            ["Federation:Client:ClientSecret"] = "fs_secret",
        });
        builder.Services.AddFederationClient(builder.Configuration.GetSection("Federation:Client"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("FederationClientOptions.ClientId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_that_uses_the_client_can_be_tested_with_a_substitute()
    {
        FederationClient client = new CannedLookups();

        var matches = await client.LookupAsync(SignalType.Md5, "098f6bcd4621d373cade4e832627b4f6");

        Assert.Equal("md5:098f6bcd4621d373cade4e832627b4f6", Assert.Single(matches).Signal.Id);
    }

    /// <summary>What a member's own test double looks like: override the calls its code makes.</summary>
    private sealed class CannedLookups : FederationClient
    {
        public override Task<IReadOnlyList<LookupMatch>> LookupAsync(SignalType type, string value, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<LookupMatch>>([new LookupMatch { Signal = new Signal { Id = $"{type.ToString().ToLowerInvariant()}:{value}" } }]);
    }
}
