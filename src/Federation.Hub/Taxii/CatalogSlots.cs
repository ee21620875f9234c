using System.Runtime.CompilerServices;

namespace Federation.Hub.Taxii;

/// <summary>
/// The slots of the compact catalog, addressed by a stable handle: fixed chunks of <see cref="CatalogSlot"/> (so growing
/// never copies the table, and 10M slots are ~600 arrays, not 10M objects) and a stack of freed handles to reuse.
/// Not thread-safe (the catalog's lock guards it).
/// </summary>
internal sealed class CatalogSlots
{
    /// <summary>16,384 slots (640 KiB) per chunk.</summary>
    public const int ChunkBits = 14;

    private const int ChunkMask = (1 << ChunkBits) - 1;

    private readonly List<CatalogSlot[]> chunks = [];
    private int[] free = new int[16];
    private int freeCount;
    private int issued;

    /// <summary>Handles in use (issued and not freed).</summary>
    public int InUse => issued - freeCount;

    /// <summary>Chunks allocated.</summary>
    public int Chunks => chunks.Count;

    /// <summary>Bytes of the chunk arrays and the free stack.</summary>
    public long Bytes => ((long)chunks.Count << ChunkBits) * Unsafe.SizeOf<CatalogSlot>() + (free.Length * sizeof(int));

    public ref CatalogSlot this[int handle] => ref chunks[handle >> ChunkBits][handle & ChunkMask];

    /// <summary>Stores <paramref name="slot"/> under a free handle and returns the handle.</summary>
    public int Add(in CatalogSlot slot)
    {
        int handle;
        if (freeCount > 0)
        {
            handle = free[--freeCount];
        }
        else
        {
            if (issued == int.MaxValue)
            {
                throw new InvalidOperationException("The TAXII catalog holds 2^31 - 1 slots, its limit.");
            }

            handle = issued++;
            if (handle >> ChunkBits == chunks.Count)
            {
                chunks.Add(new CatalogSlot[1 << ChunkBits]);
            }
        }

        this[handle] = slot;
        return handle;
    }

    /// <summary>Returns <paramref name="handle"/> for reuse; its slot must be referenced by nothing any more.</summary>
    public void Free(int handle)
    {
        if (freeCount == free.Length)
        {
            Array.Resize(ref free, free.Length * 2);
        }

        free[freeCount++] = handle;
    }
}
