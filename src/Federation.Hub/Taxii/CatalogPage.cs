namespace Federation.Hub.Taxii;

/// <summary>Entries of one page in collection order, and whether more follow (up to the settled horizon).</summary>
public sealed record CatalogPage(IReadOnlyList<CatalogEntry> Entries, bool More);
