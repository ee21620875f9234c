using Federation.Hub.Signals;
using Microsoft.Extensions.Time.Testing;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// The pacing of the store's background walkers (Signals:MaintenanceRedisShare) on a fake clock: time only moves when a
/// test advances it, so nothing depends on the machine's speed.
/// </summary>
public sealed class MaintenancePacerTests
{
    [Fact]
    public async Task A_call_owes_its_round_trip_times_the_rest_of_the_share_and_pauses_for_it()
    {
        var clock = new FakeTimeProvider();
        var pacer = new MaintenancePacer(share: 0.25, clock);

        // A 2 ms call at a quarter share owes 6 ms: the walker's next call waits for it.
        var run = pacer.RunAsync(() => Call(clock, TimeSpan.FromMilliseconds(2)), CancellationToken.None);

        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(5.9));
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(0.1));
        Assert.Equal(42, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Pauses_shorter_than_a_quantum_add_up_before_one_is_taken()
    {
        var clock = new FakeTimeProvider();
        var pacer = new MaintenancePacer(share: 0.5, clock);

        // Half share: a 1 ms call owes 1 ms, under the 5 ms quantum, so four calls go back to back and the fifth pauses 5 ms.
        for (var i = 0; i < 4; i++)
        {
            var quick = pacer.RunAsync(() => Call(clock, TimeSpan.FromMilliseconds(1)), CancellationToken.None);
            Assert.True(quick.IsCompletedSuccessfully);
        }

        var fifth = pacer.RunAsync(() => Call(clock, TimeSpan.FromMilliseconds(1)), CancellationToken.None);
        Assert.False(fifth.IsCompleted);
        clock.Advance(MaintenancePacer.Quantum);
        await fifth.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_full_share_never_pauses()
    {
        var clock = new FakeTimeProvider();
        var pacer = new MaintenancePacer(share: 1.0, clock);

        var run = pacer.RunAsync(() => Call(clock, TimeSpan.FromSeconds(1)), CancellationToken.None);

        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_pause_ends_when_the_walk_is_cancelled()
    {
        var clock = new FakeTimeProvider();
        var pacer = new MaintenancePacer(share: 0.1, clock);
        using var cancel = new CancellationTokenSource();

        var run = pacer.RunAsync(() => Call(clock, TimeSpan.FromMilliseconds(10)), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    // A store call that takes the given time on the fake clock.
    private static Task<int> Call(FakeTimeProvider clock, TimeSpan took)
    {
        clock.Advance(took);
        return Task.FromResult(42);
    }
}
