namespace Federation.Hub.Storage;

/// <summary>One entry of the known-benign list as stored (see <see cref="BenignStore"/>).</summary>
/// <param name="SignalId">The signal id, <c>&lt;type&gt;:&lt;hex&gt;</c>.</param>
/// <param name="MaxDistance">PDQ match distance; 0 for exact types.</param>
/// <param name="AddedAt">When it was listed or last updated.</param>
/// <param name="AddedBy">The administrator's client id.</param>
/// <param name="Reason">Why it is listed.</param>
public sealed record BenignEntryRecord(string SignalId, int MaxDistance, DateTimeOffset AddedAt, string AddedBy, string Reason);
