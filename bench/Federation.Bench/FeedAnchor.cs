namespace Federation.Bench;

/// <summary>Which in-memory anchor <see cref="BareFeedHarness"/> serves.</summary>
internal enum FeedAnchor
{
    /// <summary>Per-subscriber queue, one flush per batch: the feed latency anchor.</summary>
    Bare,

    /// <summary>One awaited WriteAsync per subscriber per update: the fan-out anchor.</summary>
    Naive,
}
