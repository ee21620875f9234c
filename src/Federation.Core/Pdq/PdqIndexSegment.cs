using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Federation.Core.Pdq;

/// <summary>
/// The compacted, immutable part of a <see cref="PdqIndex{TId}"/>: hashes stored contiguously (one
/// 32-byte-aligned hash per cache line) and, per chunk, a bucket directory over the chunk's high bits
/// with 4-byte entries (slot number + the chunk's low <see cref="ResidualBits"/> bits) built by a counting
/// sort. Only the dead bitmap changes after construction (removals, under the write lock).
/// </summary>
/// <remarks>
/// Chunks: 11 of 23-24 bits (3 x 24 + 8 x 23 = 256). A chunk's directory is indexed by its top
/// <c>D</c> bits, <c>D = min(L - 2, ceil(log2 n) - 2)</c>, so a bucket holds ~2-5 entries whatever n;
/// the entry's 5 low chunk bits (those not already in the bucket number) let a probe drop most of a
/// bucket's entries without touching their hashes. Bits between the directory and the residual (small
/// segments only) are not stored: the filter then only bounds the chunk distance from below, and the
/// full check decides.
/// </remarks>
internal sealed partial class PdqIndexSegment<TId>
{
    public const int ChunkCount = 11;

    /// <summary>Low chunk bits kept in each entry beside the slot.</summary>
    public const int ResidualBits = 5;

    public const int SlotBits = 32 - ResidualBits;

    /// <summary>Slots fit in an entry's low 27 bits; 11 x 2^27 entry positions stay below 2^31.</summary>
    public const int MaxSlots = 1 << SlotBits;

    private const uint SlotMask = MaxSlots - 1;
    private const int MaxProbeRadius = 3;
    private const int MaxDirectoryBits = 22;
    private const int MinDirectoryBits = 4;

    // Candidates ahead whose hash is prefetched: ~128 keeps enough misses in flight on this hardware.
    private const int PrefetchDistance = 128;

    /// <summary>Probed buckets per query at most: 11 chunks x (1 + 22 + 231 + 1,540) masks of weight 0..3.</summary>
    public const int MaxProbes = ChunkCount * 1794;

    // Chunk c is bits ChunkStart[c] .. ChunkStart[c] + ChunkLength[c] - 1 of the hash.
    private static readonly int[] ChunkLength = [24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23];
    private static readonly int[] ChunkStart = BuildChunkStarts();

    // Directory masks of weight w over MaxDirectoryBits bits, ascending: the C(D, w) within the low D bits come first.
    private static readonly int[][] MasksByWeight = BuildMasks();

    // Bit x set when a residual XOR of x (popcount) is within the allowed radius 0..3.
    private static readonly uint[] ResidualWithin = BuildResidualWithin();

    // Lane permutations that pack the set lanes of an 8-bit mask to the front (AVX2 compaction).
    private static readonly int[] CompactLanes = BuildCompactLanes();

    // Hash words little-endian: words[Base + 4s + w] holds bits 64w..64w+63 of slot s.
    private readonly ulong[] _words;
    private readonly int _base;
    private readonly TId[] _ids;
    private readonly int[] _directory;
    private readonly uint[] _entries;
    private readonly ulong[] _dead;
    private readonly int _directoryBits;

    private PdqIndexSegment(ulong[] words, int wordBase, TId[] ids, int[] directory, uint[] entries, int directoryBits, int count)
    {
        _words = words;
        _base = wordBase;
        _ids = ids;
        _directory = directory;
        _entries = entries;
        _directoryBits = directoryBits;
        _dead = new ulong[(count + 63) >> 6];
        Count = count;
    }

    public static PdqIndexSegment<TId> Empty { get; } = new([], 0, [], [], [], MinDirectoryBits, 0);

    /// <summary>Slots, dead ones included.</summary>
    public int Count { get; }

    public int DeadCount { get; private set; }

    public static int MaxProbedDistance => (ChunkCount * (MaxProbeRadius + 1)) - 1;

    public TId GetId(int slot) => _ids[slot];

    /// <summary>A copy of the dead bitmap (taken by the merger while it holds the writer gate).</summary>
    public ulong[] SnapshotDead() => (ulong[])_dead.Clone();

    /// <summary>
    /// A new segment holding the live entries of each of <paramref name="parts"/> (by its dead bitmap),
    /// then those of <paramref name="delta"/> (by <paramref name="deltaDead"/>), in that order.
    /// </summary>
    /// <remarks><paramref name="directoryBits"/> overrides the bucket bits chosen from the count (tests).</remarks>
    public static PdqIndexSegment<TId> Build(ReadOnlySpan<(PdqIndexSegment<TId> Segment, ulong[] Dead)> parts, PdqIndexDelta<TId> delta, ulong[] deltaDead, int? directoryBits = null)
    {
        var total = CountLive(parts, delta, deltaDead);
        if (total >= MaxSlots)
        {
            throw new NotSupportedException($"A PDQ index holds at most {MaxSlots - 1} entries.");
        }

        var count = (int)total;
        if (count == 0)
        {
            return Empty;
        }

        var (words, wordBase) = AllocateAligned(count);
        var ids = new TId[count];
        CopyLive(parts, delta, deltaDead, words, wordBase, ids, 0);

        var bucketBits = Math.Clamp(directoryBits ?? DirectoryBitsFor(count), MinDirectoryBits, MaxDirectoryBits);
        var directory = PdqIndexMemory.AllocatePinned<int>(DirectoryLength(bucketBits));
        Array.Clear(directory);
        var entries = PdqIndexMemory.AllocatePinned<uint>((ChunkCount * count) + Vector256<uint>.Count); // + an 8-wide load's overrun
        entries.AsSpan(ChunkCount * count).Clear();
        var keys = new uint[count];
        var cursor = new int[1 << MaxDirectoryBits];
        var hashes = words.AsSpan(wordBase, count << 2);

        // Counting sort per chunk by directory bucket: count, prefix-sum into absolute entry positions,
        // scatter. Entries within a bucket stay in ascending (insertion) order.
        for (var c = 0; c < ChunkCount; c++)
        {
            var (tableBase, bits, shift) = Layout(c, bucketBits);
            var table = directory.AsSpan(tableBase, (1 << bits) + 1);
            for (var s = 0; s < count; s++)
            {
                var h = hashes.Slice(s << 2, 4);
                var key = Extract(h[0], h[1], h[2], h[3], c);
                keys[s] = key;
                table[(int)(key >> shift) + 1]++;
            }

            table[0] = c * count;
            for (var v = 1; v < table.Length; v++)
            {
                table[v] += table[v - 1];
            }

            table[..^1].CopyTo(cursor);
            for (var s = 0; s < count; s++)
            {
                var key = keys[s];
                entries[cursor[(int)(key >> shift)]++] = ((key & ((1u << ResidualBits) - 1)) << SlotBits) | (uint)s;
            }
        }

        return new PdqIndexSegment<TId>(words, wordBase, ids, directory, entries, bucketBits, count);
    }

    /// <summary>Marks the first live entry with this hash and id dead; false when there is none.</summary>
    public bool TryRemove(in PdqHash hash, TId id, IEqualityComparer<TId> comparer)
    {
        if (Count == 0)
        {
            return false;
        }

        var (tableBase, _, shift) = Layout(0, _directoryBits);
        var bucket = tableBase + (int)(Extract(hash.Word3, hash.Word2, hash.Word1, hash.Word0, 0) >> shift);
        for (var i = _directory[bucket]; i < _directory[bucket + 1]; i++)
        {
            var slot = (int)(_entries[i] & SlotMask);
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

    /// <summary>Appends (distance, <paramref name="slotOffset"/> + slot) of every live entry within <paramref name="maxDistance"/>.</summary>
    public void Query(in PdqHash query, int maxDistance, int slotOffset, PdqQueryScratch scratch)
    {
        if (Count == 0)
        {
            return;
        }

        if (maxDistance > MaxProbedDistance)
        {
            Scan(query, maxDistance, slotOffset, scratch);
        }
        else
        {
            Probe(query, maxDistance, slotOffset, scratch);
        }
    }

    private unsafe void Probe(in PdqHash query, int maxDistance, int slotOffset, PdqQueryScratch scratch)
    {
        // d = 11a + b: chunks 0..b are probed within a bits, chunks b+1..10 within a-1 (see PdqIndex).
        // Every step issues its cache misses well before it needs them: at 10M and distance 31 a query
        // reads ~1,700 directory cells, ~1,700 bucket runs and ~3,000 candidate hashes, nearly all misses.
        var a = maxDistance / ChunkCount;
        var b = maxDistance % ChunkCount;
        ulong q0 = query.Word3, q1 = query.Word2, q2 = query.Word1, q3 = query.Word0;
        ref var directory = ref MemoryMarshal.GetArrayDataReference(_directory);
        ref var entries = ref MemoryMarshal.GetArrayDataReference(_entries);
        ref var words = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), _base);

        // Phase 1a: the probed buckets, each with its residual filter, prefetching their directory cells.
        var ranges = scratch.Ranges;
        var filters = scratch.Filters;
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
            var (tableBase, bits, shift) = Layout(c, _directoryBits);
            var key = Extract(q0, q1, q2, q3, c);
            var bucket = (int)(key >> shift);
            // Residual bits also in the bucket number are not counted twice: only the low `known` are compared.
            var known = Math.Min(ResidualBits, shift);
            var residual = (int)(key & ((1u << known) - 1));
            for (var w = 0; w <= radius && w <= bits; w++)
            {
                var masks = MasksByWeight[w];
                var maskCount = Choose(bits, w);
                var filter = residual | ((radius - w) << ResidualBits) | (known << 8);
                for (var m = 0; m < maskCount; m++)
                {
                    var at = tableBase + (bucket ^ masks[m]);
                    if (Sse.IsSupported)
                    {
                        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref directory, at)));
                    }

                    ranges[probeTotal] = new ProbeRange(at, 0);
                    filters[probeTotal++] = filter;
                }
            }

            chunkEnds[c] = probeTotal;
        }

        // Phase 1b: read the directory, keep the non-empty runs, and prefetch their first and last lines.
        var rangeCount = 0;
        var entryCount = 0;
        for (int p = 0, c = 0; p < probeTotal; p++)
        {
            while (p == chunkEnds[c])
            {
                chunkEnds[c++] = rangeCount;
            }

            var at = ranges[p].Start;
            var start = Unsafe.Add(ref directory, at);
            var end = Unsafe.Add(ref directory, at + 1);
            if (start != end)
            {
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref entries, start)));
                    Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref entries, end - 1)));
                }

                filters[rangeCount] = filters[p];
                ranges[rangeCount++] = new ProbeRange(start, end);
                entryCount += end - start;
            }
        }

        chunkEnds[chunksProbed - 1] = rangeCount;

        // Phase 2: keep the entries whose residual is within the filter's radius, as word offsets (slot * 4).
        var candidates = scratch.EnsureCandidates(entryCount + Vector256<int>.Count);
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
            var filter = filters[r];
            k = Avx2.IsSupported
                ? Filter(ref Unsafe.Add(ref entries, range.Start), range.End - range.Start, filter, ref candidate, k)
                : FilterScalar(ref Unsafe.Add(ref entries, range.Start), range.End - range.Start, filter, ref candidate, k);
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
                Verify(ref words, Unsafe.Add(ref candidate, i0), q0, q1, q2, q3, maxDistance, slotOffset, scratch, i0, a, b);
            }
        }

        for (; i0 < k; i0++)
        {
            Verify(ref words, Unsafe.Add(ref candidate, i0), q0, q1, q2, q3, maxDistance, slotOffset, scratch, i0, a, b);
        }
    }

    // Appends the word offsets of the run's entries whose residual XOR the query's has at most the
    // filter's radius bits set, eight entries per step, packed with a lane permutation (no branches).
    private static int Filter(ref uint run, int length, int filter, ref int candidate, int k)
    {
        var query = Vector256.Create((uint)(filter & ((1 << ResidualBits) - 1)) << SlotBits);
        var within = Vector256.Create(ResidualWithin[(filter >> ResidualBits) & 3]);
        var knownMask = Vector256.Create((1u << (filter >> 8)) - 1);
        var slotMask = Vector256.Create(SlotMask);
        ref var lanes = ref MemoryMarshal.GetArrayDataReference(CompactLanes);
        for (var i = 0; i < length; i += Vector256<uint>.Count)
        {
            var block = Vector256.LoadUnsafe(ref Unsafe.Add(ref run, i));
            var residual = Vector256.ShiftRightLogical(block ^ query, SlotBits) & knownMask;
            var keep = Vector256.ShiftLeft(Avx2.ShiftRightLogicalVariable(within, residual), 31);
            var bits = keep.ExtractMostSignificantBits();
            var left = length - i;
            if (left < Vector256<uint>.Count)
            {
                bits &= (1u << left) - 1;
            }

            var offsets = Vector256.ShiftLeft(block & slotMask, 2).AsInt32();
            var order = Vector256.LoadUnsafe(ref Unsafe.Add(ref lanes, (int)bits << 3));
            Avx2.PermuteVar8x32(offsets, order).StoreUnsafe(ref Unsafe.Add(ref candidate, k));
            k += BitOperations.PopCount(bits);
        }

        return k;
    }

    private static int FilterScalar(ref uint run, int length, int filter, ref int candidate, int k)
    {
        var query = (uint)(filter & ((1 << ResidualBits) - 1));
        var within = ResidualWithin[(filter >> ResidualBits) & 3];
        var knownMask = (1u << (filter >> 8)) - 1;
        for (var i = 0; i < length; i++)
        {
            var entry = Unsafe.Add(ref run, i);
            if (((within >> (int)(((entry >> SlotBits) ^ query) & knownMask)) & 1) != 0)
            {
                Unsafe.Add(ref candidate, k++) = (int)((entry & SlotMask) << 2);
            }
        }

        return k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Verify(ref ulong words, int wordOffset, ulong q0, ulong q1, ulong q2, ulong q3, int maxDistance, int slotOffset, PdqQueryScratch scratch, int index, int a, int b)
    {
        ref var h = ref Unsafe.Add(ref words, wordOffset);

        // Early exit on half the hash: 128 random bits are within 47 of the query's with p ≈ 0.2%.
        var half = BitOperations.PopCount(h ^ q0) + BitOperations.PopCount(Unsafe.Add(ref h, 1) ^ q1);
        if (half <= maxDistance)
        {
            var distance = half + BitOperations.PopCount(Unsafe.Add(ref h, 2) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref h, 3) ^ q3);
            if (distance <= maxDistance)
            {
                Matched(ref h, q0, q1, q2, q3, distance, wordOffset >> 2, slotOffset, scratch, index, a, b);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Matched(ref ulong h, ulong q0, ulong q1, ulong q2, ulong q3, int distance, int slot, int slotOffset, PdqQueryScratch scratch, int index, int a, int b)
    {
        // The chunk through which this candidate came: candidates are gathered chunk by chunk.
        var chunkEnds = scratch.ChunkEnds;
        var chunk = 0;
        while (index >= chunkEnds[chunk])
        {
            chunk++;
        }

        // Reported only through the first chunk whose radius truly covers it: that chunk's probe always
        // finds it, and a small segment's partial residual filter may also let it through other chunks.
        if (FirstCoveringChunk(h ^ q0, Unsafe.Add(ref h, 1) ^ q1, Unsafe.Add(ref h, 2) ^ q2, Unsafe.Add(ref h, 3) ^ q3, a, b) == chunk
            && !IsSet(_dead, slot))
        {
            scratch.AddMatch(distance, slotOffset + slot);
        }
    }

    // The first chunk whose distance is within its probe radius (x0..x3: little-endian words of hash XOR query).
    private static int FirstCoveringChunk(ulong x0, ulong x1, ulong x2, ulong x3, int a, int b)
    {
        for (var c = 0; c < ChunkCount; c++)
        {
            var radius = c <= b ? a : a - 1;
            if (BitOperations.PopCount(Extract(x0, x1, x2, x3, c)) <= radius)
            {
                return c;
            }
        }

        return -1;
    }

    private void Scan(in PdqHash query, int maxDistance, int slotOffset, PdqQueryScratch scratch)
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
                scratch.AddMatch(distance, slotOffset + s);
            }
        }
    }

    /// <summary>Bits ChunkStart[c].. of the 256-bit value whose little-endian words are w0..w3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Extract(ulong w0, ulong w1, ulong w2, ulong w3, int c)
    {
        var start = ChunkStart[c];
        var shift = start & 63;
        var (low, high) = (start >> 6) switch
        {
            0 => (w0, w1),
            1 => (w1, w2),
            2 => (w2, w3),
            _ => (w3, 0UL),
        };
        var value = low >> shift;
        if (shift + ChunkLength[c] > 64)
        {
            value |= high << (64 - shift);
        }

        return (uint)(value & ((1UL << ChunkLength[c]) - 1));
    }

    /// <summary>~2-4 entries a bucket: n = 1M gives 18 directory bits, 10M the most, 21-22 (all but two chunk bits).</summary>
    private static int DirectoryBitsFor(int count) =>
        Math.Clamp(32 - BitOperations.LeadingZeroCount((uint)Math.Max(count - 1, 1)) - 2, MinDirectoryBits, MaxDirectoryBits);

    // Chunk c's directory: where its table starts, its bucket bits, and the key shift that leaves them.
    private static (int TableBase, int Bits, int Shift) Layout(int c, int directoryBits)
    {
        var tableBase = 0;
        for (var i = 0; i < c; i++)
        {
            tableBase += (1 << BitsOf(i, directoryBits)) + 1;
        }

        var bits = BitsOf(c, directoryBits);
        return (tableBase, bits, ChunkLength[c] - bits);
    }

    // At least two chunk bits stay out of the directory: all of them would cost 45 bytes a hash at 10M.
    private static int BitsOf(int c, int directoryBits) => Math.Min(ChunkLength[c] - 2, directoryBits);

    private static int DirectoryLength(int directoryBits)
    {
        var (tableBase, bits, _) = Layout(ChunkCount - 1, directoryBits);
        return tableBase + (1 << bits) + 1;
    }

    private static int Choose(int n, int k) => k switch
    {
        0 => 1,
        1 => n,
        2 => n * (n - 1) / 2,
        _ => n * (n - 1) * (n - 2) / 6,
    };

    private static unsafe (ulong[] Words, int Base) AllocateAligned(int count)
    {
        // Pinned so that the alignment computed here holds: each 32-byte hash then sits in one cache line.
        var words = PdqIndexMemory.AllocatePinned<ulong>((count << 2) + 4);
        var address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(words));
        var wordBase = (int)(((32 - (address & 31)) & 31) >> 3);
        return (words, wordBase);
    }

    // Live entries (by their dead bitmaps) of parts, then of delta.
    private static long CountLive(ReadOnlySpan<(PdqIndexSegment<TId> Segment, ulong[] Dead)> parts, PdqIndexDelta<TId> delta, ulong[] deltaDead)
    {
        long live = delta.Count - CountSet(deltaDead);
        foreach (var (segment, dead) in parts)
        {
            live += segment.Count - CountSet(dead);
        }

        return live;
    }

    // Copies the live entries of parts, then of delta, into words and ids from slot next on; returns the slot after the last.
    private static int CopyLive(ReadOnlySpan<(PdqIndexSegment<TId> Segment, ulong[] Dead)> parts, PdqIndexDelta<TId> delta, ulong[] deltaDead, ulong[] words, int wordBase, TId[] ids, int next)
    {
        foreach (var (segment, dead) in parts)
        {
            for (var s = 0; s < segment.Count; s++)
            {
                if (!IsSet(dead, s))
                {
                    segment._words.AsSpan(segment._base + (s << 2), 4).CopyTo(words.AsSpan(wordBase + (next << 2), 4));
                    ids[next++] = segment._ids[s];
                }
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

        return next;
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

    private static int[] BuildChunkStarts()
    {
        var starts = new int[ChunkCount];
        for (var c = 1; c < ChunkCount; c++)
        {
            starts[c] = starts[c - 1] + ChunkLength[c - 1];
        }

        return starts;
    }

    private static int[][] BuildMasks()
    {
        // Colex order (by highest bit, then the next): the masks within the low D bits are a prefix.
        List<int> one = [], two = [], three = [];
        for (var h = 0; h < MaxDirectoryBits; h++)
        {
            one.Add(1 << h);
            for (var m = 0; m < h; m++)
            {
                two.Add((1 << h) | (1 << m));
                for (var l = 0; l < m; l++)
                {
                    three.Add((1 << h) | (1 << m) | (1 << l));
                }
            }
        }

        return [[0], [.. one], [.. two], [.. three]];
    }

    private static uint[] BuildResidualWithin()
    {
        var within = new uint[MaxProbeRadius + 1];
        for (var r = 0; r <= MaxProbeRadius; r++)
        {
            for (var x = 0; x < 1 << ResidualBits; x++)
            {
                if (BitOperations.PopCount((uint)x) <= r)
                {
                    within[r] |= 1u << x;
                }
            }
        }

        return within;
    }

    private static int[] BuildCompactLanes()
    {
        var lanes = new int[256 * 8];
        for (var mask = 0; mask < 256; mask++)
        {
            var next = 0;
            for (var lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    lanes[(mask << 3) + next++] = lane;
                }
            }
        }

        return lanes;
    }
}

/// <summary>One probed bucket: a directory cell, then the run of entries it points to.</summary>
internal readonly record struct ProbeRange(int Start, int End);
