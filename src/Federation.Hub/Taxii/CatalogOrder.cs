using System.Buffers;

namespace Federation.Hub.Taxii;

/// <summary>
/// One collection's order: slot handles sorted by (date added, id) in one <c>int[]</c> (<c>main</c>), plus an unsorted
/// <c>recent</c> buffer. A new version's date added is the time of its feed entry, so it nearly always sorts after
/// everything before and is appended to <c>main</c> at once; one that does not (feed entries of several partitions met
/// out of order, the start-up scan, which meets records in no order at all) waits in <c>recent</c> until the next read
/// or until <c>recent</c> is a quarter of <c>main</c>, and is then sorted and merged in (only <c>main</c>'s tail from the
/// first such entry on is rewritten). A superseded or removed version stays in <c>main</c> marked dead (sign bit) until
/// dead handles are a quarter of it, then <c>main</c> is compacted and their slots are freed. Positions never move
/// relative to one another, so a <c>next</c> token stays valid across merges and compactions.
/// Not thread-safe (the catalog's lock guards it).
/// </summary>
internal sealed class CatalogOrder(CatalogSlots slots, Func<int, bool> isLive, int mergeThreshold, int compactionMinimum)
{
    private const int Dead = int.MinValue;
    private const int PoolLimit = 1 << 16;

    private int[] main = [];
    private int mainCount;
    private int deadInMain;
    private int[] recent = [];
    private int recentCount;

    /// <summary>Handles in the order, dead ones included.</summary>
    public int Length => mainCount + recentCount;

    /// <summary>Dead handles still in <c>main</c>.</summary>
    public int DeadCount => deadInMain;

    /// <summary>Compactions so far.</summary>
    public int Compactions { get; private set; }

    /// <summary>Merges of <c>recent</c> into <c>main</c> so far.</summary>
    public int Merges { get; private set; }

    /// <summary>Bytes of the two arrays.</summary>
    public long Bytes => ((long)main.Length + recent.Length) * sizeof(int);

    /// <summary>Places <paramref name="handle"/> (its slot filled in).</summary>
    public void Add(int handle)
    {
        if (recentCount == 0 && (mainCount == 0 || slots[handle].Position > PositionAt(mainCount - 1)))
        {
            Append(ref main, ref mainCount, handle);
            return;
        }

        Append(ref recent, ref recentCount, handle);
        if (recentCount >= Math.Max(mergeThreshold, mainCount / 4))
        {
            Merge();
        }
    }

    /// <summary>
    /// Marks <paramref name="handle"/> dead (its slot still holds the position it was placed at). One in <c>recent</c>
    /// is left there: <c>isLive</c> says no when it is merged.
    /// </summary>
    public void Kill(int handle)
    {
        var position = slots[handle].Position;
        for (var i = LowerBound(position); i < mainCount && PositionAt(i) == position; i++)
        {
            if (main[i] == handle)
            {
                main[i] = handle | Dead;
                deadInMain++;
                if (deadInMain >= compactionMinimum && deadInMain * 4L >= mainCount)
                {
                    Compact();
                }

                return;
            }
        }
    }

    /// <summary>
    /// Live handles strictly after <paramref name="after"/>, in order, while <paramref name="take"/> accepts them (it
    /// returns false to stop, and is not called again).
    /// </summary>
    public void Walk(CatalogPosition after, Func<int, bool> take)
    {
        Merge();
        for (var i = UpperBound(after); i < mainCount; i++)
        {
            var handle = main[i];
            if (handle >= 0 && !take(handle))
            {
                return;
            }
        }
    }

    /// <summary>Sorts <c>recent</c> (dropping what died there) and merges it into <c>main</c>.</summary>
    public void Merge()
    {
        if (recentCount == 0)
        {
            return;
        }

        var count = 0;
        for (var i = 0; i < recentCount; i++)
        {
            var handle = recent[i];
            if (isLive(handle))
            {
                recent[count++] = handle;
            }
            else
            {
                slots.Free(handle);
            }
        }

        recentCount = 0;
        if (count == 0)
        {
            return;
        }

        // Sorting by keys copied out: comparing through the handles would read a slot at random twice per comparison.
        var keys = count <= PoolLimit ? ArrayPool<CatalogPosition>.Shared.Rent(count) : new CatalogPosition[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = slots[recent[i]].Position;
        }

        Array.Sort(keys, recent, 0, count);
        var start = LowerBound(keys[0]);
        if (count <= PoolLimit)
        {
            ArrayPool<CatalogPosition>.Shared.Return(keys);
        }

        EnsureCapacity(ref main, mainCount + count);
        var tail = mainCount - start;
        if (tail == 0)
        {
            Array.Copy(recent, 0, main, mainCount, count);
        }
        else
        {
            // Merge main[start..] (moved aside) with the sorted recent back into main[start..].
            var moved = tail <= PoolLimit ? ArrayPool<int>.Shared.Rent(tail) : new int[tail];
            Array.Copy(main, start, moved, 0, tail);
            int a = 0, b = 0, to = start;
            while (a < tail && b < count)
            {
                main[to++] = slots[moved[a] & int.MaxValue].Position <= slots[recent[b]].Position ? moved[a++] : recent[b++];
            }

            Array.Copy(moved, a, main, to, tail - a);
            to += tail - a;
            Array.Copy(recent, b, main, to, count - b);
            if (tail <= PoolLimit)
            {
                ArrayPool<int>.Shared.Return(moved);
            }
        }

        mainCount += count;
        Merges++;
        if (recent.Length > 2 * Math.Max(mergeThreshold, 16))
        {
            recent = []; // the start-up scan's buffer: do not keep it
        }
    }

    /// <summary>Drops the dead handles from <c>main</c> and frees their slots.</summary>
    public void Compact()
    {
        var count = 0;
        for (var i = 0; i < mainCount; i++)
        {
            var handle = main[i];
            if (handle >= 0)
            {
                main[count++] = handle;
            }
            else
            {
                slots.Free(handle & int.MaxValue);
            }
        }

        mainCount = count;
        deadInMain = 0;
        Compactions++;
        if (main.Length > 64 && main.Length > 2 * count)
        {
            Array.Resize(ref main, Math.Max(64, count + (count / 4)));
        }
    }

    private CatalogPosition PositionAt(int index) => slots[main[index] & int.MaxValue].Position;

    // First index of main whose position is >= position.
    private int LowerBound(CatalogPosition position)
    {
        int lo = 0, hi = mainCount;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (PositionAt(mid) < position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // First index of main whose position is > position.
    private int UpperBound(CatalogPosition position)
    {
        int lo = 0, hi = mainCount;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (PositionAt(mid) <= position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void Append(ref int[] array, ref int count, int handle)
    {
        EnsureCapacity(ref array, count + 1);
        array[count++] = handle;
    }

    private static void EnsureCapacity(ref int[] array, int needed)
    {
        if (needed > array.Length)
        {
            Array.Resize(ref array, Math.Max(needed, Math.Max(16, array.Length + (array.Length / 2))));
        }
    }
}
