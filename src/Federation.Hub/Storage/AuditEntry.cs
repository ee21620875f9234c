namespace Federation.Hub.Storage;

/// <summary>One entry of the hash-chained audit log.</summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Actor,
    string Action,
    string Subject,
    string Detail,
    string PreviousHash,
    string Hash);
