using System.Runtime.InteropServices;

namespace Federation.Hub.Taxii;

/// <summary>
/// Id → slot handle for the compact catalog: open addressing with linear probing over one <c>int[]</c> of handles
/// (+1, 0 = empty), the ids themselves read from the slots, so a record costs 4 bytes per table cell (at most 70 %
/// full) instead of a 32-byte dictionary entry. Deletion shifts the following cluster back (no tombstones).
/// Only live handles are in the table, and a live slot's id never changes, which is what makes reading keys from the
/// slots sound. Not thread-safe (the catalog's lock guards it).
/// </summary>
internal sealed class CatalogIdTable(CatalogSlots slots)
{
    private int[] cells = new int[16];

    /// <summary>Ids held.</summary>
    public int Count { get; private set; }

    /// <summary>Cells (capacity).</summary>
    public int Capacity => cells.Length;

    /// <summary>Bytes of the table.</summary>
    public long Bytes => cells.Length * (long)sizeof(int);

    /// <summary>The handle in cell <paramref name="cell"/>, or -1 (for walking every live handle).</summary>
    public int HandleAt(int cell) => cells[cell] - 1;

    public bool TryGetValue(Guid id, out int handle)
    {
        var mask = cells.Length - 1;
        for (var i = Hash(id) & mask; ; i = (i + 1) & mask)
        {
            var cell = cells[i];
            if (cell == 0)
            {
                handle = -1;
                return false;
            }

            if (slots[cell - 1].Id == id)
            {
                handle = cell - 1;
                return true;
            }
        }
    }

    /// <summary>
    /// Points <paramref name="id"/> at <paramref name="handle"/>, whose slot holds it. An id already held is found through
    /// its old handle's slot, which must still hold the id (it is dead but not yet reused, or reused for this id).
    /// </summary>
    public void Set(Guid id, int handle)
    {
        if ((Count + 1) * 10L > cells.Length * 7L)
        {
            Grow();
        }

        var mask = cells.Length - 1;
        for (var i = Hash(id) & mask; ; i = (i + 1) & mask)
        {
            var cell = cells[i];
            if (cell == 0)
            {
                cells[i] = handle + 1;
                Count++;
                return;
            }

            if (slots[cell - 1].Id == id)
            {
                cells[i] = handle + 1;
                return;
            }
        }
    }

    /// <summary>Removes <paramref name="id"/> (its slot must still hold it).</summary>
    public bool Remove(Guid id)
    {
        var mask = cells.Length - 1;
        var i = Hash(id) & mask;
        while (true)
        {
            var cell = cells[i];
            if (cell == 0)
            {
                return false;
            }

            if (slots[cell - 1].Id == id)
            {
                break;
            }

            i = (i + 1) & mask;
        }

        // Backward shift: move each following member of the cluster whose home is not in (i, j] into the hole.
        cells[i] = 0;
        Count--;
        for (var j = (i + 1) & mask; cells[j] != 0; j = (j + 1) & mask)
        {
            var home = Hash(slots[cells[j] - 1].Id) & mask;
            var stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays)
            {
                cells[i] = cells[j];
                cells[j] = 0;
                i = j;
            }
        }

        return true;
    }

    private void Grow()
    {
        var old = cells;
        cells = new int[old.Length * 2];
        var mask = cells.Length - 1;
        foreach (var cell in old)
        {
            if (cell != 0)
            {
                var i = Hash(slots[cell - 1].Id) & mask;
                while (cells[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                cells[i] = cell;
            }
        }
    }

    // The ids are UUIDv5 (SHA-1 bits) in the hub, but tests and benches may use anything: mix both halves.
    private static int Hash(Guid id)
    {
        var halves = MemoryMarshal.Cast<Guid, ulong>(new ReadOnlySpan<Guid>(in id));
        return (int)(((halves[0] ^ halves[1]) * 0x9E37_79B9_7F4A_7C15UL) >> 33);
    }
}
