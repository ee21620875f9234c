using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Federation.Core.Pdq;

/// <summary>
/// The compacted, immutable part of a <see cref="PdqIndex{TId}"/>: hashes stored contiguously (one
/// 32-byte-aligned hash per cache line), and per chunk a CSR table (bucket offsets + slot list) built by
/// a counting sort. Only the dead bitmap changes after construction (removals, under the write lock).
/// </summary>
internal sealed class PdqIndexSegment<TId>
{
    public const int ChunkCount = 16;
    public const int BucketCount = 1 << 16;
    public const int OffsetStride = BucketCount + 1;

    /// <summary>The 16 slot lists share one int-indexed array: 16 × 2^27 stays below 2^31.</summary>
    public const int MaxSlots = 1 << 27;

    private const int MaxProbeRadius = 2;

    // Candidates ahead whose hash is prefetched: ~128 keeps enough misses in flight on this hardware
    // (measured: 64 is ~15% slower at distance 31, 256 no faster).
    private const int PrefetchDistance = 128;

    // Chunk masks by weight: [0] is 0, then the 16 one-bit masks, then the 120 two-bit masks.
    private static readonly ushort[] ProbeMasks = BuildProbeMasks();
    private static readonly int[] ProbeCountByRadius = [1, 1 + 16, 1 + 16 + 120];

    // Hash words little-endian: words[Base + 4s + w] holds bits 64w..64w+63 of slot s, so chunk c is the
    // c-th ushort of the hash (PdqHash.GetChunk16(c)).
    private readonly ulong[] _words;
    private readonly int _base;
    private readonly TId[] _ids;
    private readonly int[] _offsets;
    private readonly int[] _slots;
    private readonly ulong[] _dead;

    private PdqIndexSegment(ulong[] words, int wordBase, TId[] ids, int[] offsets, int[] slots, int count)
    {
        _words = words;
        _base = wordBase;
        _ids = ids;
        _offsets = offsets;
        _slots = slots;
        _dead = new ulong[(count + 63) >> 6];
        Count = count;
    }

    public static PdqIndexSegment<TId> Empty { get; } = new([], 0, [], [], [], 0);

    /// <summary>Slots, dead ones included.</summary>
    public int Count { get; }

    public int DeadCount { get; private set; }

    public static int MaxProbedDistance => (ChunkCount * (MaxProbeRadius + 1)) - 1;

    public TId GetId(int slot) => _ids[slot];

    /// <summary>A copy of the dead bitmap (taken by the merger while it holds the writer gate).</summary>
    public ulong[] SnapshotDead() => (ulong[])_dead.Clone();

    /// <summary>
    /// A new segment holding the live entries of <paramref name="main"/> (by <paramref name="mainDead"/>)
    /// then those of <paramref name="delta"/> (by <paramref name="deltaDead"/>), in that order.
    /// </summary>
    public static PdqIndexSegment<TId> Build(PdqIndexSegment<TId> main, ulong[] mainDead, PdqIndexDelta<TId> delta, ulong[] deltaDead)
    {
        var count = (main.Count - CountSet(mainDead)) + (delta.Count - CountSet(deltaDead));
        if (count >= MaxSlots)
        {
            throw new NotSupportedException($"A PDQ index holds at most {MaxSlots - 1} entries.");
        }

        if (count == 0)
        {
            return Empty;
        }

        var (words, wordBase) = AllocateAligned(count);
        var ids = new TId[count];
        var next = 0;
        for (var s = 0; s < main.Count; s++)
        {
            if (!IsSet(mainDead, s))
            {
                main._words.AsSpan(main._base + (s << 2), 4).CopyTo(words.AsSpan(wordBase + (next << 2), 4));
                ids[next++] = main._ids[s];
            }
        }

        for (var i = 0; i < delta.Count; i++)
        {
            if (!IsSet(deltaDead, i))
            {
                delta.Words.AsSpan(i << 2, 4).CopyTo(words.AsSpan(wordBase + (next << 2), 4));
                ids[next++] = delta.Ids[i];
            }
        }

        // Counting sort per chunk: count, prefix-sum into offsets, scatter slots. Slots within a bucket
        // stay in ascending (insertion) order.
        var offsets = PdqIndexMemory.AllocatePinned<int>(ChunkCount * OffsetStride);
        Array.Clear(offsets);
        var slots = PdqIndexMemory.AllocatePinned<int>((ChunkCount * count) + Vector256<int>.Count); // + the overrun of an 8-wide copy
        var cursor = new int[BucketCount];
        var chunks = MemoryMarshal.Cast<ulong, ushort>(words.AsSpan(wordBase, count << 2));
        for (var c = 0; c < ChunkCount; c++)
        {
            var table = offsets.AsSpan(c * OffsetStride, OffsetStride);
            for (var s = 0; s < count; s++)
            {
                table[chunks[(s << 4) | c] + 1]++;
            }

            for (var v = 1; v < OffsetStride; v++)
            {
                table[v] += table[v - 1];
            }

            table[..BucketCount].CopyTo(cursor);
            var tableSlots = slots.AsSpan(c * count, count);
            for (var s = 0; s < count; s++)
            {
                tableSlots[cursor[chunks[(s << 4) | c]]++] = s;
            }
        }

        return new PdqIndexSegment<TId>(words, wordBase, ids, offsets, slots, count);
    }

    /// <summary>Marks the first live entry with this hash and id dead; false when there is none.</summary>
    public bool TryRemove(in PdqHash hash, TId id, IEqualityComparer<TId> comparer)
    {
        if (Count == 0)
        {
            return false;
        }

        var bucket = hash.GetChunk16(0);
        for (var i = _offsets[bucket]; i < _offsets[bucket + 1]; i++)
        {
            var slot = _slots[i];
            var h = _words.AsSpan(_base + (slot << 2), 4);
            if (h[0] == hash.Word3 && h[1] == hash.Word2 && h[2] == hash.Word1 && h[3] == hash.Word0
                && !IsSet(_dead, slot) && comparer.Equals(_ids[slot], id))
            {
                _dead[slot >> 6] |= 1UL << (slot & 63);
                DeadCount++;
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends (distance, slot) of every live entry within <paramref name="maxDistance"/>.</summary>
    public void Query(in PdqHash query, int maxDistance, PdqQueryScratch scratch)
    {
        if (Count == 0)
        {
            return;
        }

        if (maxDistance > MaxProbedDistance)
        {
            Scan(query, maxDistance, scratch);
        }
        else
        {
            Probe(query, maxDistance, scratch);
        }
    }

    private unsafe void Probe(in PdqHash query, int maxDistance, PdqQueryScratch scratch)
    {
        // d = 16a + b: chunks 0..b are probed within a bits, chunks b+1..15 within a-1 (see PdqIndex).
        // Every step issues its cache misses well before it needs them: a query at distance 31 touches
        // ~270 bucket offsets, ~500 slot-list lines and ~4,300 candidate hashes, nearly all misses.
        var a = maxDistance >> 4;
        var b = maxDistance & 15;
        ulong q0 = query.Word3, q1 = query.Word2, q2 = query.Word1, q3 = query.Word0;
        ref var offsets = ref MemoryMarshal.GetArrayDataReference(_offsets);
        ref var slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        ref var words = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), _base);
        var masks = ProbeMasks;

        // Phase 1a: the probed buckets (offset index and slot-list base), prefetching their offsets.
        var ranges = scratch.Ranges;
        var chunkEnds = scratch.ChunkEnds;
        var probeTotal = 0;
        var chunksProbed = 0;
        for (var c = 0; c < ChunkCount; c++)
        {
            var radius = c <= b ? a : a - 1;
            if (radius < 0)
            {
                break;
            }

            chunksProbed++;

            var probeCount = ProbeCountByRadius[radius];
            var tableBase = c * OffsetStride;
            var slotBase = c * Count;
            var queryChunk = query.GetChunk16(c);
            for (var m = 0; m < probeCount; m++)
            {
                var at = tableBase + (queryChunk ^ masks[m]);
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref offsets, at)));
                }

                ranges[probeTotal++] = new ProbeRange(at, slotBase);
            }

            chunkEnds[c] = probeTotal;
        }

        // Phase 1b: read the offsets, keep the non-empty slot ranges, and prefetch their lines (a bucket
        // holds ~16 slots at 1M entries: 64 bytes, usually over two cache lines).
        var rangeCount = 0;
        var candidateCount = 0;
        for (int p = 0, c = 0; p < probeTotal; p++)
        {
            while (p == chunkEnds[c])
            {
                chunkEnds[c++] = rangeCount;
            }

            var probe = ranges[p];
            var start = probe.End + Unsafe.Add(ref offsets, probe.Start);
            var end = probe.End + Unsafe.Add(ref offsets, probe.Start + 1);
            if (start != end)
            {
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref slots, start)));
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref slots, end - 1)));
                }

                ranges[rangeCount++] = new ProbeRange(start, end);
                candidateCount += end - start;
            }
        }

        chunkEnds[chunksProbed - 1] = rangeCount;

        // Phase 2: gather the candidates as word offsets (slot * 4), eight at a time: a range copy may
        // run past its end, and the next range (or nothing) overwrites the excess.
        var candidates = scratch.EnsureCandidates(candidateCount + Vector256<int>.Count);
        ref var candidate = ref MemoryMarshal.GetArrayDataReference(candidates);
        var k = 0;
        var chunk = 0;
        for (var r = 0; r < rangeCount; r++)
        {
            while (r == chunkEnds[chunk])
            {
                chunkEnds[chunk++] = k;
            }

            var range = ranges[r];
            var length = range.End - range.Start;
            ref var from = ref Unsafe.Add(ref slots, range.Start);
            ref var to = ref Unsafe.Add(ref candidate, k);
            for (var i = 0; i < length; i += Vector256<int>.Count)
            {
                var block = Vector256.ShiftLeft(Vector256.LoadUnsafe(ref Unsafe.Add(ref from, i)), 2);
                block.StoreUnsafe(ref Unsafe.Add(ref to, i));
            }

            k += length;
        }

        // chunkEnds[c] is now the end of chunk c's candidates (trailing chunks without any end at k).
        while (chunk < chunksProbed)
        {
            chunkEnds[chunk++] = k;
        }

        // Phase 3: full-length check, prefetching the hash PrefetchDistance candidates ahead so that the
        // misses overlap each other and the arithmetic. Matches are rare, so their extra checks (found
        // through an earlier chunk? dead?) are off the hot path.
        if (Sse.IsSupported)
        {
            for (var i = 0; i < k && i < PrefetchDistance; i++)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref words, Unsafe.Add(ref candidate, i))));
            }
        }

        var i0 = 0;
        if (Sse.IsSupported)
        {
            for (; i0 + PrefetchDistance < k; i0++)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref words, Unsafe.Add(ref candidate, i0 + PrefetchDistance))));
                Verify(ref words, Unsafe.Add(ref candidate, i0), q0, q1, q2, q3, maxDistance, scratch, i0, a, b);
            }
        }

        for (; i0 < k; i0++)
        {
            Verify(ref words, Unsafe.Add(ref candidate, i0), q0, q1, q2, q3, maxDistance, scratch, i0, a, b);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Verify(ref ulong words, int wordOffset, ulong q0, ulong q1, ulong q2, ulong q3, int maxDistance, PdqQueryScratch scratch, int index, int a, int b)
    {
        ref var h = ref Unsafe.Add(ref words, wordOffset);

        // Early exit on half the hash: 128 random bits are within 47 of the query's with p ≈ 0.2%.
        var half = BitOperations.PopCount(h ^ q0) + BitOperations.PopCount(Unsafe.Add(ref h, 1) ^ q1);
        if (half <= maxDistance)
        {
            var distance = half + BitOperations.PopCount(Unsafe.Add(ref h, 2) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref h, 3) ^ q3);
            if (distance <= maxDistance)
            {
                Matched(ref h, q0, q1, q2, q3, distance, wordOffset >> 2, scratch, index, a, b);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Matched(ref ulong h, ulong q0, ulong q1, ulong q2, ulong q3, int distance, int slot, PdqQueryScratch scratch, int index, int a, int b)
    {
        // The chunk through which this candidate came: candidates are gathered chunk by chunk.
        var chunkEnds = scratch.ChunkEnds;
        var chunk = 0;
        while (index >= chunkEnds[chunk])
        {
            chunk++;
        }

        if (!FoundInEarlierChunk(h ^ q0, Unsafe.Add(ref h, 1) ^ q1, Unsafe.Add(ref h, 2) ^ q2, Unsafe.Add(ref h, 3) ^ q3, chunk, a, b)
            && !IsSet(_dead, slot))
        {
            scratch.AddMatch(distance, slot);
        }
    }

    // True when a chunk before `chunk` also had this hash within its probe radius: it was reported there.
    // x0..x3 are the little-endian words of hash XOR query.
    private static bool FoundInEarlierChunk(ulong x0, ulong x1, ulong x2, ulong x3, int chunk, int a, int b)
    {
        for (var c = 0; c < chunk; c++)
        {
            var radius = c <= b ? a : a - 1;
            var word = (c >> 2) switch
            {
                0 => x0,
                1 => x1,
                2 => x2,
                _ => x3,
            };
            if (BitOperations.PopCount((uint)(ushort)(word >> ((c & 3) << 4))) <= radius)
            {
                return true;
            }
        }

        return false;
    }

    private void Scan(in PdqHash query, int maxDistance, PdqQueryScratch scratch)
    {
        ulong q0 = query.Word3, q1 = query.Word2, q2 = query.Word1, q3 = query.Word0;
        var words = _words.AsSpan(_base, Count << 2);
        for (var s = 0; s < Count; s++)
        {
            var h = words.Slice(s << 2, 4);
            var distance = BitOperations.PopCount(h[0] ^ q0) + BitOperations.PopCount(h[1] ^ q1)
                + BitOperations.PopCount(h[2] ^ q2) + BitOperations.PopCount(h[3] ^ q3);
            if (distance <= maxDistance && !IsSet(_dead, s))
            {
                scratch.AddMatch(distance, s);
            }
        }
    }

    private static unsafe (ulong[] Words, int Base) AllocateAligned(int count)
    {
        // Pinned so that the alignment computed here holds: each 32-byte hash then sits in one cache line.
        var words = PdqIndexMemory.AllocatePinned<ulong>((count << 2) + 4);
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(words));
        var wordBase = (int)(((32 - (address & 31)) & 31) >> 3);
        return (words, wordBase);
    }

    private static bool IsSet(ulong[] bits, int index) => (bits[index >> 6] & (1UL << (index & 63))) != 0;

    private static int CountSet(ulong[] bits)
    {
        var total = 0;
        foreach (var word in bits)
        {
            total += BitOperations.PopCount(word);
        }

        return total;
    }

    private static ushort[] BuildProbeMasks()
    {
        var masks = new List<ushort> { 0 };
        for (var b = 0; b < 16; b++)
        {
            masks.Add((ushort)(1 << b));
        }

        for (var b1 = 0; b1 < 16; b1++)
        {
            for (var b2 = b1 + 1; b2 < 16; b2++)
            {
                masks.Add((ushort)((1 << b1) | (1 << b2)));
            }
        }

        return [.. masks];
    }
}

/// <summary>One probed bucket: a range of a chunk table's slot list.</summary>
internal readonly record struct ProbeRange(int Start, int End);
