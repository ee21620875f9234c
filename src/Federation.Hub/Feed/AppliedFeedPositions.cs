using Federation.Core.Feed;

namespace Federation.Hub.Feed;

/// <summary>
/// How far a per-replica view built from the feed tail (the PDQ index, the TAXII catalog) has applied each partition's
/// feed, and waiting until it has applied given positions: what makes a consistency token or a TAXII page see every
/// write Redis already holds. The owner calls <see cref="Advance"/> after applying an entry and <see cref="Publish"/>
/// once per drained batch, so waiters wake once per batch rather than once per entry.
/// </summary>
public sealed class AppliedFeedPositions
{
    private readonly Lock sync = new();
    private FeedPosition[] applied = [];
    private TaskCompletionSource advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where applying starts: the feed positions the view's start-up load covers.</summary>
    public void Start(IReadOnlyList<FeedPosition> upTo)
    {
        lock (sync)
        {
            applied = [.. upTo];
        }
    }

    /// <summary>The entry at <paramref name="position"/> of <paramref name="partition"/> has been applied.</summary>
    public void Advance(int partition, FeedPosition position)
    {
        lock (sync)
        {
            applied[partition] = position;
        }
    }

    /// <summary>Wakes the waiters to look again at what has been applied.</summary>
    public void Publish()
    {
        TaskCompletionSource reached;
        lock (sync)
        {
            reached = advanced;
            advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        reached.TrySetResult();
    }

    /// <summary>Waits until every partition has applied at least <paramref name="positions"/>.</summary>
    /// <exception cref="TimeoutException">Not reached within <paramref name="timeout"/>.</exception>
    public async Task WaitAsync(IReadOnlyList<FeedPosition> positions, TimeSpan timeout, CancellationToken ct)
    {
        var started = Environment.TickCount64;
        while (true)
        {
            Task next;
            lock (sync)
            {
                if (Reached(positions))
                {
                    return;
                }

                next = advanced.Task;
            }

            var left = timeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            await next.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, ct).ConfigureAwait(false);
        }
    }

    // Under the lock.
    private bool Reached(IReadOnlyList<FeedPosition> positions)
    {
        if (applied.Length < positions.Count)
        {
            return false;
        }

        for (var p = 0; p < positions.Count; p++)
        {
            if (positions[p] > applied[p])
            {
                return false;
            }
        }

        return true;
    }
}
