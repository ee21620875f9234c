using Federation.Hub.Storage;

namespace Federation.Hub.Signals;

/// <summary>A record after the caller's opinion was set: the caller's part in it and whether anything changed.</summary>
public sealed record OpinionChange(SignalRecord Record, bool ContributedByCaller, SignalOpinion CallerOpinion, bool Changed);
