namespace Federation.Hub.Storage;

/// <summary>
/// What <c>XINFO STREAM</c> says about a partition's feed stream, in the fields the feed's head and retention check
/// need, as text and numbers so that the Feed side reads them without the Redis client's types.
/// </summary>
/// <param name="LastGeneratedId">The stream's <c>last-generated-id</c>.</param>
/// <param name="EntriesAdded">The stream's <c>entries-added</c>: every entry ever appended, trimmed or not.</param>
/// <param name="Length">Entries in the stream now.</param>
/// <param name="MaxDeletedEntryId">The stream's <c>max-deleted-entry-id</c>, or null when Redis reports none.</param>
public sealed record FeedStreamInfo(string LastGeneratedId, long EntriesAdded, long Length, string? MaxDeletedEntryId);
