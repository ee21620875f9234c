using Federation.Hub.Health;
using Federation.Hub.Pdq;
using Federation.Hub.Taxii;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Health;

/// <summary>
/// The later start-up walks (video index, TAXII catalog) wait for the PDQ index's walk, which readiness waits for, so a
/// cold replica's Redis core serves that walk alone; they must neither start early nor wait for ever.
/// </summary>
public sealed class StartupWalksTests
{
    [Fact]
    public async Task A_later_walk_waits_until_the_readiness_walk_has_ended()
    {
        var walks = new StartupWalks();
        var later = walks.WaitForReadinessWalkAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(later.IsCompleted);
        Assert.False(walks.ReadinessWalkEnded);

        walks.EndReadinessWalk();
        await later.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(walks.ReadinessWalkEnded);
    }

    [Fact]
    public void Ending_twice_is_harmless_and_a_walk_that_asks_afterwards_goes_at_once()
    {
        var walks = new StartupWalks();
        walks.EndReadinessWalk();
        walks.EndReadinessWalk();
        Assert.True(walks.WaitForReadinessWalkAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_waiting_walk_ends_when_the_host_stops()
    {
        var walks = new StartupWalks();
        using var stopping = new CancellationTokenSource();
        var later = walks.WaitForReadinessWalkAsync(stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => later);
    }

    [Fact]
    public async Task A_hub_ends_the_readiness_walk_once_its_pdq_index_has_loaded_and_then_loads_the_taxii_catalog()
    {
        using var redis = new TestRedis();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString);
        var walks = (StartupWalks)hub.Services.GetService(typeof(StartupWalks))!;
        var pdq = (PdqMatchIndex)hub.Services.GetService(typeof(PdqMatchIndex))!;
        var catalog = (TaxiiCatalog)hub.Services.GetService(typeof(TaxiiCatalog))!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!catalog.IsLoaded && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(catalog.IsLoaded, "the TAXII catalog did not load within 30 s");
        Assert.True(pdq.IsLoaded);
        Assert.True(walks.ReadinessWalkEnded);
    }
}
