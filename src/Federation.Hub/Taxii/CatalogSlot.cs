namespace Federation.Hub.Taxii;

/// <summary>
/// One catalog entry as the compact catalog holds it (<see cref="CatalogIndex"/>): 40 bytes, no reference, so an array
/// of slots is one object the garbage collector never walks, whatever it holds.
/// </summary>
internal struct CatalogSlot
{
    /// <summary>The object's UUID.</summary>
    public Guid Id;

    /// <summary>Date added of this version, Unix ms.</summary>
    public long DateAdded;

    /// <summary>The record version this slot stands for.</summary>
    public long Version;

    /// <summary>Where the record's signal key lives in the <see cref="CatalogKeyArena"/> (the group is the collection's).</summary>
    public int Key;

    /// <summary>The collection (sharing group) number in <see cref="CatalogIndex"/>.</summary>
    public ushort Collection;

    /// <summary>The record's partition.</summary>
    public ushort Partition;

    public readonly CatalogPosition Position => new(DateAdded, Id);
}
