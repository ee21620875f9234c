using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Federation.Contracts.V1;
using Federation.Hub.Extensions;
using Federation.Hub.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Federation.Bench;

/// <summary>A member as the benchmarks use it: its own gRPC channel (connection) carrying its bearer token.</summary>
internal sealed record BenchMember(string Id, GrpcChannel Channel, SignalService.SignalServiceClient Signals) : IDisposable
{
    public void Dispose() => Channel.Dispose();
}

/// <summary>
/// The real hub in this process on loopback Kestrel ports (HTTP/1.1 for tokens, HTTP/2 for gRPC) against the
/// benchmark's Redis; members are created through the admin API and call with real OAuth tokens.
/// </summary>
internal sealed class BenchHub : IAsyncDisposable
{
    private const string AdminId = "bench-admin";
    private const string AdminSecret = "bench-admin-secret-0123456789abcdef";

    private readonly WebApplication app;
    private readonly HttpClient http;
    private readonly string grpcAddress;
    private int members;

    private BenchHub(WebApplication app, int httpPort, int grpcPort)
    {
        this.app = app;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        grpcAddress = $"http://127.0.0.1:{grpcPort}";
    }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts a hub on <paramref name="redis"/> with its data in <paramref name="dataPath"/>; <paramref name="settings"/>
    /// override the benchmark's configuration keys; <paramref name="services"/> adds a benchmark's own instrumentation,
    /// registered before the hub's wiring.
    /// </summary>
    public static async Task<BenchHub> StartAsync(string redis, string dataPath, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var config = new Dictionary<string, string?>
        {
            // The feed tail parses XREAD replies as RESP2 arrays; StackExchange.Redis 3 negotiates RESP3 (maps) unless told.
            ["Federation:Redis"] = redis + ",protocol=resp2",
            ["Federation:DataPath"] = dataPath,
            ["Federation:Issuer"] = "http://federation.bench/",
            ["Federation:ListenAddress"] = "127.0.0.1",
            ["Federation:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Federation:AccessTokenLifetime"] = "02:00:00",
            ["Federation:Bootstrap:AdminClientId"] = AdminId,
            ["Federation:Bootstrap:AdminClientSecret"] = AdminSecret,
            // The benchmark measures the hub's capacity, not the per-member limit (50k items/s by default).
            ["Federation:Signals:RateLimitPerSecond"] = "0",
            // Subscribers get a heartbeat within a second, so the benchmark knows when every stream is attached.
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
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new BenchHub(app, httpPort, grpcPort);
    }

    /// <summary>Creates a member with submit and read scopes and returns it with a channel carrying its token.</summary>
    public async Task<BenchMember> CreateMemberAsync(string prefix)
    {
        var admin = new MembershipService.MembershipServiceClient(Invoker(GrpcChannel.ForAddress(grpcAddress), await TokenAsync(AdminId, AdminSecret, "federation.admin")));
        var id = $"{prefix}-{Interlocked.Increment(ref members)}";
        var created = await admin.CreateMemberAsync(new CreateMemberRequest
        {
            MemberId = id,
            DisplayName = "Benchmark member " + id,
            Scopes = { "signals.submit", "signals.read" },
        });
        var token = await TokenAsync(id, created.ClientSecret, "signals.submit signals.read");
        var channel = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        return new BenchMember(id, channel, new SignalService.SignalServiceClient(Invoker(channel, token)));
    }

    /// <summary>Creates a member with the read scope and returns its bearer token, for a client in another process.</summary>
    public Task<string> CreateReaderTokenAsync(string prefix) => CreateTokenAsync(prefix, "signals.read");

    /// <summary>Creates a member with the given scopes (space-separated) and returns its bearer token, for a client in another process.</summary>
    public async Task<string> CreateTokenAsync(string prefix, string scopes)
    {
        var (id, secret) = await CreateCredentialsAsync(prefix, scopes);
        return await TokenAsync(id, secret, scopes);
    }

    /// <summary>Creates a member with the given scopes (space-separated) and returns its client id and secret, for a hub in another process on the same Redis and data folder.</summary>
    public async Task<(string ClientId, string Secret)> CreateCredentialsAsync(string prefix, string scopes)
    {
        var admin = new MembershipService.MembershipServiceClient(Invoker(GrpcChannel.ForAddress(grpcAddress), await TokenAsync(AdminId, AdminSecret, "federation.admin")));
        var id = $"{prefix}-{Interlocked.Increment(ref members)}";
        var created = await admin.CreateMemberAsync(new CreateMemberRequest
        {
            MemberId = id,
            DisplayName = "Benchmark member " + id,
            Scopes = { scopes.Split(' ') },
        });
        return (id, created.ClientSecret);
    }

    /// <summary>
    /// Waits until /healthz/ready answers 200: Redis reachable and this replica's PDQ index loaded from Redis
    /// (millions of stored records take seconds to scan). Bounded, like every loop here.
    /// </summary>
    public async Task<TimeSpan> WaitUntilReadyAsync(TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            using var response = await http.GetAsync("healthz/ready");
            if (response.IsSuccessStatusCode)
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the replica was not ready within {limit.TotalSeconds:0} s");
    }

    /// <summary>The HTTP/1.1 address on loopback (token endpoint, health, TAXII).</summary>
    public Uri HttpAddress => http.BaseAddress!;

    /// <summary>The gRPC (h2c) address on loopback.</summary>
    public string GrpcAddress => grpcAddress;

    public async Task<List<BenchMember>> CreateMembersAsync(string prefix, int count)
    {
        var list = new List<BenchMember>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(await CreateMemberAsync(prefix));
        }

        return list;
    }

    private async Task<string> TokenAsync(string clientId, string secret, string scope)
    {
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        }));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return token!.AccessToken;
    }

    private static CallInvoker Invoker(GrpcChannel channel, string token)
    {
        var header = "Bearer " + token;
        return channel.Intercept(metadata =>
        {
            metadata.Add("Authorization", header);
            return metadata;
        });
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken);
}
