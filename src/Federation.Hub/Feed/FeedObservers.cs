using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// The in-process observers of the feed (PDQ and video indexes, TAXII catalogue, transparency counters): each gets every
/// entry in stream order per partition, on the tail's thread. Kept apart from the subscribers' fan-out because an
/// observer is a callback that must not be able to stop the feed, not a stream with a buffer that can overflow.
/// </summary>
/// <remarks>Not thread-safe: <see cref="FeedDispatcher"/> calls it under its lock, so a registration and the position
/// vector it is told about are one atomic step.</remarks>
internal sealed class FeedObservers(ILogger logger)
{
    private readonly List<Action<FeedEntry>> observers = [];

    public void Add(Action<FeedEntry> observer) => observers.Add(observer);

    public void Remove(Action<FeedEntry> observer) => observers.Remove(observer);

    /// <summary>Hands <paramref name="entry"/> to every observer; one that throws is logged and the others still run.</summary>
    public void Notify(FeedEntry entry)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer(entry);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Feed observer failed on entry {Partition}/{Id}", entry.Partition, entry.Id);
            }
        }
    }
}
