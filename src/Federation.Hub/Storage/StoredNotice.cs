namespace Federation.Hub.Storage;

/// <summary>
/// One overturn notice as a member's notice stream holds it: the record it is about, why and when the record ended, and
/// the actions the member had recorded on it. <see cref="Cursor"/> is the stream id (empty until written).
/// </summary>
public sealed record StoredNotice(string Cursor, byte[] StorageKey, int Cause, DateTimeOffset At, string Reason, IReadOnlyList<StoredAction> Actions);
