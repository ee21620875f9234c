namespace Federation.Hub.Storage;

/// <summary>A record as one member sees it: the record plus that member's own part in it.</summary>
public sealed record SignalRead(SignalRecord Record, bool ContributedByCaller, int CallerOpinion);
