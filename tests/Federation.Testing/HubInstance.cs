using System.Text.Json.Serialization;
using Federation.Hub.Extensions;
using Federation.Hub.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// One real hub on loopback Kestrel ports (HTTP/1.1 for tokens, HTTP/2 for gRPC) against a real
/// Redis. Several instances on one Redis behave as replicas.
/// </summary>
public sealed class HubInstance : IAsyncDisposable
{
    public const string AdminId = "test-admin";
    public const string AdminSecret = "test-admin-secret-0123456789abcdef";

    private readonly WebApplication app;
    private readonly GrpcChannel channel;

    private HubInstance(WebApplication app, int httpPort, int grpcPort, CapturedLogs logs, string dataPath)
    {
        this.app = app;
        Logs = logs;
        DataPath = dataPath;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        GrpcAddress = $"http://127.0.0.1:{grpcPort}";
    }

    /// <summary>HTTP/1.1 client for the token endpoint and health.</summary>
    public HttpClient Http { get; }

    /// <summary>The gRPC address (h2c).</summary>
    public string GrpcAddress { get; }

    /// <summary>Everything this hub logged.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>The hub's data folder (signing key).</summary>
    public string DataPath { get; }

    /// <summary>The hub's services.</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Starts a hub. <paramref name="settings"/> override configuration keys; <paramref name="configure"/> adds services (e.g. telemetry exporters).</summary>
    public static async Task<HubInstance> StartAsync(string redis, string? dataPath = null, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        dataPath ??= Directory.CreateTempSubdirectory("federation-test-hub-").FullName;
        var portsNamed = settings is not null && (settings.ContainsKey("Federation:HttpPort") || settings.ContainsKey("Federation:GrpcPort"));
        // Ports this method draws can still be taken by another test between probing and binding;
        // draw again then (bounded). Ports the caller names get one attempt: a restart must use them.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(redis, dataPath, settings, configure);
            }
            catch (IOException e) when (!portsNamed && attempt < 4 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // Drawn ports taken meanwhile: try fresh ones.
            }
        }
    }

    private static async Task<HubInstance> StartOnceAsync(string redis, string dataPath, IDictionary<string, string?>? settings, Action<WebApplicationBuilder>? configure)
    {
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var logs = new CapturedLogs();
        var config = new Dictionary<string, string?>
        {
            ["Federation:Redis"] = redis,
            ["Federation:DataPath"] = dataPath,
            // One issuer for every instance, as replicas behind one name would have.
            ["Federation:Issuer"] = "http://federation.test/",
            ["Federation:HttpPort"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Federation:Bootstrap:AdminClientId"] = AdminId,
            ["Federation:Bootstrap:AdminClientSecret"] = AdminSecret,
            ["Federation:Feed:HeartbeatInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = HubApplication.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // Hosted services started before the bind failed: stop them before letting go.
            await app.StopAsync();
            await app.DisposeAsync();
            throw;
        }

        // The caller's settings may name the ports (a restart on the same ports): address what the hub really uses.
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Federation.Hub.Options.FederationOptions>>().Value;
        return new HubInstance(app, options.HttpPort, options.GrpcPort, logs, dataPath);
    }

    /// <summary>
    /// Waits until this replica's per-replica views (PDQ index, video index, TAXII catalog) have loaded from Redis. Until
    /// then they answer UNAVAILABLE / 503, as they should; a test that reads through a fresh replica waits for this
    /// first. Not /healthz/ready: readiness waits for the PDQ index only, and the video index and the catalog load after
    /// it (StartupWalks), so a video look-up right after "ready" could still meet the loading answer (as CI did).
    /// </summary>
    public Task WaitUntilLoadedAsync() => Eventually.UntilAsync(
        () => Services.GetRequiredService<Federation.Hub.Pdq.PdqMatchIndex>().IsLoaded
            && Services.GetRequiredService<Federation.Hub.Vpdq.VideoMatchIndex>().IsLoaded
            && Services.GetService<Federation.Hub.Taxii.TaxiiCatalog>() is not { IsLoaded: false },
        TimeSpan.FromSeconds(30), "the replica's PDQ index, video index and TAXII catalog to load");

    /// <summary>Requests a token at POST /connect/token; returns the raw HTTP response.</summary>
    public Task<HttpResponseMessage> RequestTokenAsync(string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return Http.PostAsync("connect/token", new FormUrlEncodedContent(form));
    }

    /// <summary>Gets an access token or fails the test with the endpoint's answer.</summary>
    public async Task<string> GetTokenAsync(string clientId, string secret, string? scope = null)
    {
        using var response = await RequestTokenAsync(clientId, secret, scope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        var token = System.Text.Json.JsonSerializer.Deserialize<TokenResponse>(body)!;
        return token.AccessToken;
    }

    /// <summary>A call invoker that sends the bearer token (or none) on every call.</summary>
    public CallInvoker Invoker(string? token) =>
        token is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("Authorization", "Bearer " + token);
                return metadata;
            });

    /// <summary>An administrator's membership client.</summary>
    public async Task<Contracts.V1.MembershipService.MembershipServiceClient> AdminClientAsync() =>
        new(Invoker(await GetTokenAsync(AdminId, AdminSecret, "federation.admin")));

    /// <summary>Stops the hub without grace: open calls and streams are aborted mid-flight, as when a replica dies.</summary>
    public async ValueTask AbortAsync()
    {
        await app.StopAsync(new CancellationToken(canceled: true));
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        channel.Dispose();
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);
}
