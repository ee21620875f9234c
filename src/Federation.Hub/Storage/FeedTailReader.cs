using Federation.Core.Feed;

namespace Federation.Hub.Storage;

/// <summary>
/// The feed tail's reader of every partition stream, opened by <see cref="FeedStreamReader.ConnectAsync"/>: one blocking
/// <c>XREAD</c> on a single Redis (<see cref="FeedGroupReader"/>), bell-driven reads on Redis Cluster
/// (<see cref="FeedBellReader"/>).
/// </summary>
/// <remarks>
/// A reader keeps no position: the caller passes where each partition was read up to and advances it only after it has
/// handled the batches, so a failed step (a record fetch during a Redis restart) reads the same entries again. Errors of
/// the store client propagate (<see cref="StoreFailures.IsStoreError"/> recognises them).
/// </remarks>
public abstract class FeedTailReader : IDisposable
{
    /// <summary>The partitions this reader follows, in the order of the positions <see cref="ReadAsync"/> takes.</summary>
    public abstract int[] Partitions { get; }

    /// <summary>
    /// Waits up to about <see cref="FeedStreamReader.BlockTime"/> for entries after <paramref name="after"/> (one position
    /// per entry of <see cref="Partitions"/>) and returns them, one non-empty batch per partition that had any, oldest
    /// first; empty when nothing new arrived in that time.
    /// </summary>
    public abstract Task<List<FeedEntry[]>> ReadAsync(FeedPosition[] after, CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
