namespace Federation.Hub.Health;

/// <summary>
/// The order of a replica's start-up walks over the store. Readiness waits for one of them, the PDQ index's; the
/// others (the video index, the TAXII catalog) read every bucket of every partition too, and on Redis' one core they
/// would share its time with the walk readiness waits for. So they begin once that walk has ended (or failed, or the
/// host stopped): a cold replica is ready as soon as its PDQ index is, and the later walks still miss nothing, because
/// each observes the feed tail before it waits.
/// </summary>
public sealed class StartupWalks
{
    private readonly TaskCompletionSource readinessWalk = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the walk readiness waits for has ended.</summary>
    public bool ReadinessWalkEnded => readinessWalk.Task.IsCompleted;

    /// <summary>Called by the PDQ index when its walk has ended, however it ended; idempotent.</summary>
    public void EndReadinessWalk() => readinessWalk.TrySetResult();

    /// <summary>Completes when the walk readiness waits for has ended.</summary>
    public Task WaitForReadinessWalkAsync(CancellationToken ct) => readinessWalk.Task.WaitAsync(ct);
}
