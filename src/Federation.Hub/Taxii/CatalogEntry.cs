namespace Federation.Hub.Taxii;

/// <summary>
/// One object of the TAXII catalog at its current version: where it sorts (<see cref="DateAdded"/>, then
/// <see cref="Id"/>) and where its record lives. Immutable: a new version replaces the entry. Made for the entries of a
/// page only (<see cref="CatalogIndex"/> holds records as structs), so never kept per stored record.
/// </summary>
/// <param name="Id">The object's UUID (an indicator's is <see cref="StixIds.Indicator(string)"/> of its record id).</param>
/// <param name="DateAdded">When this version was added, Unix milliseconds (the feed entry that made it; docs/taxii.md).</param>
/// <param name="Version">The record version this entry stands for; a page skips a record whose stored version differs.</param>
/// <param name="Partition">The record's partition, or -1 for a definition object (identity, extension definition).</param>
/// <param name="StorageKey">The record's storage key (empty for a definition object).</param>
/// <param name="Group">The record's sharing group, "" for coalition-wide (definition objects are in every collection).</param>
public sealed record CatalogEntry(Guid Id, long DateAdded, long Version, int Partition, byte[] StorageKey, string Group)
{
    /// <summary>True for the identity and extension definition served in every collection.</summary>
    public bool IsDefinition => Partition < 0;

    /// <summary>Where this entry sorts.</summary>
    public CatalogPosition Position => new(DateAdded, Id);
}
