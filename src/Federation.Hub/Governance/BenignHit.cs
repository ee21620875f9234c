using Federation.Hub.Storage;

namespace Federation.Hub.Governance;

/// <summary>A value that matched the known-benign list: the entry and the distance (0 for exact types).</summary>
public sealed record BenignHit(BenignEntryRecord Entry, int Distance);
