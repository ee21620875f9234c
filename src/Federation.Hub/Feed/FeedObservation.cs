using Federation.Core.Feed;

namespace Federation.Hub.Feed;

/// <summary>An observer registered with <see cref="FeedTail.ObserveAsync"/>; dispose to unregister.</summary>
public sealed class FeedObservation(FeedPosition[] startedAfter, Action unregister) : IDisposable
{
    /// <summary>The observer receives every entry after these positions (one per partition).</summary>
    public IReadOnlyList<FeedPosition> StartedAfter { get; } = startedAfter;

    public void Dispose() => unregister();
}
