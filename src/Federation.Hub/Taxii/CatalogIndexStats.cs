namespace Federation.Hub.Taxii;

/// <summary>Sizes and counters of a <see cref="CatalogIndex"/>.</summary>
/// <param name="Records">Records held (live entries).</param>
/// <param name="Collections">Collections (sharing groups) seen.</param>
/// <param name="OrderedHandles">Handles in the collections' orders, dead ones and unmerged ones included.</param>
/// <param name="DeadHandles">Superseded or removed entries not compacted away yet.</param>
/// <param name="Compactions">Compactions of a collection's order so far.</param>
/// <param name="Merges">Merges of out-of-order entries so far.</param>
/// <param name="SlotChunks">Arrays of slots.</param>
/// <param name="KeyChunks">Arrays of the key arena.</param>
/// <param name="ArrayBytes">Bytes of all the arrays (slots, keys, orders, the id table), allocated capacity.</param>
public sealed record CatalogIndexStats(
    int Records, int Collections, long OrderedHandles, long DeadHandles, long Compactions, long Merges, int SlotChunks, int KeyChunks, long ArrayBytes);
