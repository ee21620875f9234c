namespace Federation.Hub.Storage;

/// <summary>A record as one member sees it: the record plus that member's own part in it, and the signal ids it is linked to.</summary>
public sealed record SignalRead(SignalRecord Record, bool ContributedByCaller, int CallerOpinion)
{
    /// <summary>Signal ids of the other hashes of the same media item (same sharing group); empty when none are linked.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}
