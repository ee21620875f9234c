namespace Federation.Hub.Signals;

/// <summary>
/// Keeps one background walker of the store (the expiry sweep, the bucket splitter) to a share of Redis's time: each
/// call's round trip earns a pause of round trip × (1 − share) / share, taken once the owed pauses add up to
/// <see cref="Quantum"/> (a timer cannot sleep for a few microseconds, and an empty bucket's call takes about that).
/// Not thread-safe: one per walk.
/// </summary>
/// <remarks>
/// Redis runs one command at a time, so a walker that sends its calls back to back makes every other member's command
/// wait behind one of its calls most of the time it runs; paced, only a quarter of the time by default. The round trip
/// is an upper bound on the Redis time the call took, so the share is never exceeded.
/// </remarks>
public sealed class MaintenancePacer(double share, TimeProvider clock)
{
    /// <summary>The smallest pause taken: owed pauses shorter than this are added up first.</summary>
    public static readonly TimeSpan Quantum = TimeSpan.FromMilliseconds(5);

    private readonly double restPerBusy = (1 - share) / share;
    private TimeSpan owed;

    /// <summary>Runs one call of the walker, then pauses as much as the call owes (once the owed time reaches a quantum).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var result = await call().ConfigureAwait(false);
        owed += clock.GetElapsedTime(started) * restPerBusy;
        if (owed >= Quantum)
        {
            var pause = owed;
            owed = TimeSpan.Zero;
            await Task.Delay(pause, clock, ct).ConfigureAwait(false);
        }

        return result;
    }
}
