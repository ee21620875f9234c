using System.Text;

namespace Federation.Hub.Taxii;

/// <summary>
/// The TAXII catalog's records without an object per record (docs/taxii.md, "The catalog"): 40-byte
/// <see cref="CatalogSlot"/>s in chunked arrays, one sorted handle array per collection (<see cref="CatalogOrder"/>),
/// the signal keys in a byte arena and an open-addressing id → handle table (<see cref="CatalogIdTable"/>). What a page
/// needs is materialized as <see cref="CatalogEntry"/> objects for that page only. The sorted set of entry objects this
/// replaced cost 3 objects and ~234 B per record, old-generation objects the garbage collector marked on every full
/// collection and, being rewritten from the feed, through the card table on young ones too.
/// Not thread-safe: <see cref="TaxiiCatalog"/> calls it under its lock.
/// </summary>
public sealed class CatalogIndex
{
    private readonly CatalogSlots slots = new();
    private readonly CatalogIdTable byId;
    private readonly Dictionary<string, int> collectionOf = new(StringComparer.Ordinal);
    private readonly List<Collection> collections = [];
    private readonly Func<int, bool> isLive;
    private readonly int mergeThreshold;
    private readonly int compactionMinimum;
    private CatalogKeyArena keys = new();
    private long deadKeyBytes;

    /// <param name="mergeThreshold">Out-of-order entries a collection buffers before merging them (at least; reads merge first).</param>
    /// <param name="compactionMinimum">Dead entries a collection holds at least before it compacts (and a quarter of it).</param>
    public CatalogIndex(int mergeThreshold = 65_536, int compactionMinimum = 4_096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mergeThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(compactionMinimum, 1);
        this.mergeThreshold = mergeThreshold;
        this.compactionMinimum = compactionMinimum;
        byId = new CatalogIdTable(slots);
        isLive = handle => byId.TryGetValue(slots[handle].Id, out var current) && current == handle;
    }

    /// <summary>Records held.</summary>
    public int Count => byId.Count;

    /// <summary>The version and date added held for <paramref name="id"/>.</summary>
    public bool TryGet(Guid id, out long version, out long dateAdded)
    {
        if (byId.TryGetValue(id, out var handle))
        {
            ref var slot = ref slots[handle];
            (version, dateAdded) = (slot.Version, slot.DateAdded);
            return true;
        }

        (version, dateAdded) = (0, 0);
        return false;
    }

    /// <summary>
    /// Makes (<paramref name="version"/>, <paramref name="dateAdded"/>) the current entry of <paramref name="id"/> in
    /// <paramref name="group"/>'s collection, unless a later version is held. <paramref name="signalKey"/> is the storage
    /// key without the group (<see cref="Storage.SignalStorageKey"/>); it is kept once per record, so a new version
    /// reuses it.
    /// </summary>
    /// <returns>False when a later version is held (nothing changed).</returns>
    public bool Set(Guid id, string group, long dateAdded, long version, int partition, ReadOnlySpan<byte> signalKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partition, ushort.MaxValue);
        int key;
        if (byId.TryGetValue(id, out var current))
        {
            ref var old = ref slots[current];
            if (old.Version > version)
            {
                return false;
            }

            key = old.Key;
            collections[old.Collection].Order.Kill(current);
        }
        else
        {
            key = keys.Add(signalKey);
        }

        var collection = CollectionOf(group);
        var handle = slots.Add(new CatalogSlot
        {
            Id = id,
            DateAdded = dateAdded,
            Version = version,
            Key = key,
            Collection = (ushort)collection.Number,
            Partition = (ushort)partition,
        });
        byId.Set(id, handle);
        collection.Order.Add(handle);
        return true;
    }

    /// <summary>Removes <paramref name="id"/> if its current entry is (<paramref name="version"/>, <paramref name="dateAdded"/>).</summary>
    public bool Forget(Guid id, long version, long dateAdded)
    {
        if (!byId.TryGetValue(id, out var handle))
        {
            return false;
        }

        ref var slot = ref slots[handle];
        if (slot.Version != version || slot.DateAdded != dateAdded)
        {
            return false;
        }

        var order = collections[slot.Collection].Order;
        deadKeyBytes += 1 + keys.Get(slot.Key).Length;
        byId.Remove(id); // before the kill, which may free the slot the table reads the id from
        order.Kill(handle);
        if (deadKeyBytes > 1 << 20 && deadKeyBytes * 2 > keys.Written)
        {
            RebuildKeys();
        }

        return true;
    }

    /// <summary>The current entry of <paramref name="id"/> if it is in <paramref name="group"/>'s collection.</summary>
    public CatalogEntry? Find(string group, Guid id) =>
        byId.TryGetValue(id, out var handle) && collectionOf.TryGetValue(group, out var number) && slots[handle].Collection == number
            ? Materialize(handle)
            : null;

    /// <summary>
    /// Appends to <paramref name="result"/> the entries of <paramref name="group"/>'s collection strictly after
    /// <paramref name="after"/> and added before <paramref name="horizon"/>, in order, until it holds
    /// <paramref name="limit"/>; only the ids in <paramref name="ids"/> when given.
    /// </summary>
    /// <returns>True when an entry before the horizon was left out for the limit.</returns>
    public bool Page(string group, CatalogPosition after, long horizon, int limit, IReadOnlySet<Guid>? ids, List<CatalogEntry> result)
    {
        if (!collectionOf.TryGetValue(group, out var number))
        {
            return false;
        }

        var more = false;
        bool Take(int handle)
        {
            if (slots[handle].DateAdded >= horizon)
            {
                return false;
            }

            if (result.Count >= limit)
            {
                more = true;
                return false;
            }

            result.Add(Materialize(handle));
            return true;
        }

        if (ids is null)
        {
            collections[number].Order.Walk(after, Take);
            return more;
        }

        // A few named objects: look them up rather than walk the collection.
        var named = new List<(CatalogPosition Position, int Handle)>(ids.Count);
        foreach (var id in ids)
        {
            if (byId.TryGetValue(id, out var handle) && slots[handle].Collection == number && slots[handle].Position > after)
            {
                named.Add((slots[handle].Position, handle));
            }
        }

        named.Sort((a, b) => a.Position.CompareTo(b.Position));
        foreach (var (_, handle) in named)
        {
            if (!Take(handle))
            {
                break;
            }
        }

        return more;
    }

    /// <summary>Merges every collection's out-of-order entries now (after the start-up load, so no page pays for it).</summary>
    public void Settle()
    {
        foreach (var collection in collections)
        {
            collection.Order.Merge();
        }
    }

    /// <summary>Sizes and counters of the structure (for tests and the memory bench).</summary>
    public CatalogIndexStats Stats()
    {
        long orderBytes = 0, orderLength = 0, dead = 0, compactions = 0, merges = 0;
        foreach (var collection in collections)
        {
            orderBytes += collection.Order.Bytes;
            orderLength += collection.Order.Length;
            dead += collection.Order.DeadCount;
            compactions += collection.Order.Compactions;
            merges += collection.Order.Merges;
        }

        var idBytes = byId.Bytes;
        return new CatalogIndexStats(
            Records: byId.Count,
            Collections: collections.Count,
            OrderedHandles: orderLength,
            DeadHandles: dead,
            Compactions: compactions,
            Merges: merges,
            SlotChunks: slots.Chunks,
            KeyChunks: keys.Chunks,
            ArrayBytes: slots.Bytes + keys.Bytes + orderBytes + idBytes);
    }

    private CatalogEntry Materialize(int handle)
    {
        ref var slot = ref slots[handle];
        var collection = collections[slot.Collection];
        var signalKey = keys.Get(slot.Key);
        var storageKey = new byte[signalKey.Length + collection.GroupBytes.Length];
        signalKey.CopyTo(storageKey);
        collection.GroupBytes.CopyTo(storageKey.AsSpan(signalKey.Length));
        return new CatalogEntry(slot.Id, slot.DateAdded, slot.Version, slot.Partition, storageKey, collection.Group);
    }

    private Collection CollectionOf(string group)
    {
        if (collectionOf.TryGetValue(group, out var number))
        {
            return collections[number];
        }

        if (collections.Count > ushort.MaxValue)
        {
            throw new InvalidOperationException("The TAXII catalog holds 65,536 collections (sharing groups), its limit.");
        }

        var collection = new Collection(collections.Count, group, new CatalogOrder(slots, isLive, mergeThreshold, compactionMinimum));
        collections.Add(collection);
        collectionOf[group] = collection.Number;
        return collection;
    }

    // Copies the live records' keys into a fresh arena. Dead slots keep references into the old one: nothing reads them.
    private void RebuildKeys()
    {
        var fresh = new CatalogKeyArena();
        for (var cell = 0; cell < byId.Capacity; cell++)
        {
            var handle = byId.HandleAt(cell);
            if (handle < 0)
            {
                continue;
            }

            ref var slot = ref slots[handle];
            slot.Key = fresh.Add(keys.Get(slot.Key));
        }

        keys = fresh;
        deadKeyBytes = 0;
    }

    private sealed class Collection(int number, string group, CatalogOrder order)
    {
        public int Number { get; } = number;

        public string Group { get; } = group;

        public byte[] GroupBytes { get; } = Encoding.UTF8.GetBytes(group);

        public CatalogOrder Order { get; } = order;
    }
}
