using System.Runtime.Intrinsics;

namespace Federation.Core.Pdq;

/// <summary>
/// Appending to a large segment without rebuilding it: the existing slots keep their numbers, so their
/// directory entries are copied run by run (a sequential merge), and only the new entries are sorted.
/// </summary>
/// <remarks>
/// A full <see cref="Build"/> of 10M entries is ~110M scattered writes (a counting sort per chunk over a
/// 16 MB directory); appending 100k to it reads and writes the same arrays once, in order, and sorts
/// 11 x 100k keys. Dead slots are kept (still marked dead): compaction is the full build's job, done
/// when enough of them pile up.
/// </remarks>
internal sealed partial class PdqIndexSegment<TId>
{
    // Sort key of a new entry: bucket, then slot (insertion order within a bucket), then its residual.
    private const int SortSlotShift = ResidualBits;
    private const int SortBucketShift = SortSlotShift + SlotBits;

    /// <summary>Whether <see cref="Append"/> can extend this segment to <paramref name="newCount"/> slots (same directory size).</summary>
    public bool CanAppendTo(long newCount) =>
        Count > 0 && newCount < MaxSlots && DirectoryBitsFor((int)newCount) == _directoryBits;

    /// <summary>
    /// A new segment: this one's slots unchanged (dead ones stay dead, by <paramref name="dead"/>), then
    /// the live entries of <paramref name="parts"/> and <paramref name="delta"/>, in that order.
    /// </summary>
    public PdqIndexSegment<TId> Append(ulong[] dead, ReadOnlySpan<(PdqIndexSegment<TId> Segment, ulong[] Dead)> parts, PdqIndexDelta<TId> delta, ulong[] deltaDead)
    {
        var added = CountLive(parts, delta, deltaDead);

        var oldCount = Count;
        var newCount = oldCount + added;
        if (!CanAppendTo(newCount))
        {
            throw new InvalidOperationException($"Cannot append {added} entries to a segment of {oldCount} with {_directoryBits} directory bits.");
        }

        var count = (int)newCount;
        var (words, wordBase) = AllocateAligned(count);
        var ids = new TId[count];
        _words.AsSpan(_base, oldCount << 2).CopyTo(words.AsSpan(wordBase));
        Array.Copy(_ids, ids, oldCount);
        CopyLive(parts, delta, deltaDead, words, wordBase, ids, oldCount);

        var directory = PdqIndexMemory.AllocatePinned<int>(_directory.Length);
        var entries = PdqIndexMemory.AllocatePinned<uint>((ChunkCount * count) + Vector256<uint>.Count);
        entries.AsSpan(ChunkCount * count).Clear();
        var newHashes = words.AsSpan(wordBase + (oldCount << 2), (count - oldCount) << 2);
        var keys = new ulong[count - oldCount];
        for (var c = 0; c < ChunkCount; c++)
        {
            var (tableBase, bits, shift) = Layout(c, _directoryBits);
            for (var j = 0; j < keys.Length; j++)
            {
                var h = newHashes.Slice(j << 2, 4);
                var key = Extract(h[0], h[1], h[2], h[3], c);
                keys[j] = ((ulong)(key >> shift) << SortBucketShift) | ((ulong)(uint)(oldCount + j) << SortSlotShift) | (key & ((1u << ResidualBits) - 1));
            }

            Array.Sort(keys);
            MergeChunk(
                _directory.AsSpan(tableBase, (1 << bits) + 1),
                directory.AsSpan(tableBase, (1 << bits) + 1),
                entries,
                keys,
                c * count);
        }

        var appended = new PdqIndexSegment<TId>(words, wordBase, ids, directory, entries, _directoryBits, count);
        dead.AsSpan().CopyTo(appended._dead);
        appended.DeadCount = CountSet(dead);
        return appended;
    }

    // One chunk: before each new entry (sorted by bucket), copy the old runs up to the end of its bucket;
    // the directory cells in between move by the new entries placed before them.
    private void MergeChunk(ReadOnlySpan<int> oldTable, Span<int> newTable, uint[] entries, ulong[] sortedKeys, int newBase)
    {
        var shiftBy = newBase - oldTable[0];
        var read = oldTable[0];
        var write = newBase;
        var cell = 0;
        for (var j = 0; j < sortedKeys.Length; j++)
        {
            var key = sortedKeys[j];
            var bucket = (int)(key >> SortBucketShift);
            for (; cell <= bucket; cell++)
            {
                newTable[cell] = oldTable[cell] + shiftBy + j;
            }

            var end = oldTable[bucket + 1];
            _entries.AsSpan(read, end - read).CopyTo(entries.AsSpan(write));
            write += end - read;
            read = end;
            var slot = (uint)(key >> SortSlotShift) & SlotMask;
            entries[write++] = (((uint)key & ((1u << ResidualBits) - 1)) << SlotBits) | slot;
        }

        for (; cell < newTable.Length; cell++)
        {
            newTable[cell] = oldTable[cell] + shiftBy + sortedKeys.Length;
        }

        var last = oldTable[^1];
        _entries.AsSpan(read, last - read).CopyTo(entries.AsSpan(write));
    }
}
