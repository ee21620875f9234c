using Federation.Contracts.V1;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>A real Redis and one real hub, shared by the tests of one class (xunit class fixture).</summary>
public class HubFixture : IAsyncLifetime
{
    private int memberCounter;

    public TestRedis Redis { get; private set; } = null!;

    public HubInstance Hub { get; private set; } = null!;

    /// <summary>Direct Redis access for inspecting what the hub stored.</summary>
    public IConnectionMultiplexer RedisConnection { get; private set; } = null!;

    /// <summary>Configuration overrides of the hub (a derived fixture sets them).</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>Starts the store the hub runs on (a derived fixture starts a Redis Cluster instead).</summary>
    protected virtual Task<TestRedis> StartRedisAsync() => Task.FromResult(new TestRedis());

    public async ValueTask InitializeAsync()
    {
        Redis = await StartRedisAsync();
        Hub = await HubInstance.StartAsync(Redis.ConnectionString, settings: Settings);
        RedisConnection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        await StartedAsync();
    }

    /// <summary>
    /// Runs once the hub is up, before the first test: waits until its per-replica views have loaded
    /// (<see cref="HubInstance.WaitUntilLoadedAsync"/>); the fixtures' tests are about what comes after (a first test met
    /// the loading answer when its class happened to run first). Tests of the loading state start their own hub.
    /// </summary>
    protected virtual Task StartedAsync() => Hub.WaitUntilLoadedAsync();

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        await RedisConnection.DisposeAsync();
        Redis?.Dispose();
    }

    /// <summary>Creates a member with a unique id through the admin API; returns its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateMemberAsync(string[]? scopes = null, string[]? groups = null)
    {
        var admin = await Hub.AdminClientAsync();
        var id = $"member-{Interlocked.Increment(ref memberCounter)}-{Guid.NewGuid():N}"[..30];
        var response = await admin.CreateMemberAsync(new CreateMemberRequest
        {
            MemberId = id,
            DisplayName = "Test member " + id,
            Scopes = { scopes ?? ["signals.submit", "signals.read"] },
            SharingGroups = { groups ?? [] },
        });
        return (response.Member.MemberId, response.ClientSecret);
    }
}
