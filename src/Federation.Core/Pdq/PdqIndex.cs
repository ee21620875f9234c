using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Federation.Core.Pdq;

/// <summary>
/// In-memory PDQ near-neighbour index (multi-index hashing) whose answers equal a brute-force scan.
/// </summary>
/// <remarks>
/// <para>
/// Layout: each hash is split into 16 chunks of 16 bits, and each chunk has a table of 65,536 buckets
/// listing the slots of the hashes with that chunk value. Hashes live once, in a slot array.
/// </para>
/// <para>
/// Why recall equals brute force (pigeonhole): the distance of two hashes is the sum of the distances
/// of their 16 chunks. Write the threshold d = 16a + b with 0 ≤ b &lt; 16. If chunks 0..b each differed
/// by more than a bits and chunks b+1..15 each by more than a-1 bits, the total would be at least
/// (b+1)(a+1) + (15-b)a = 16a + b + 1 &gt; d. So every hash within d has one of chunks 0..b within a
/// bits of the query's, or one of chunks b+1..15 within a-1 bits: probing exactly those buckets finds
/// every match. d ≤ 15: the exact buckets of chunks 0..d (at most 16 buckets); d = 16: chunk 0 within
/// one bit plus the exact buckets of chunks 1..15 (32 buckets); d = 31: all 16 chunks within one bit
/// (272 buckets); up to 47 within two bits. Every candidate is checked against its full 256-bit
/// distance, so there are no false positives either. Larger thresholds fall back to a full scan. A hash
/// found through several chunks is reported once: from the first chunk whose probe covers it.
/// </para>
/// <para>
/// Threading: any number of concurrent readers (<see cref="Query(in PdqHash, int, int)"/>,
/// <see cref="Count"/>) with writers (<see cref="Add"/>, <see cref="Remove"/>) serialized by a
/// <see cref="ReaderWriterLockSlim"/>; a writer waits for running queries and blocks new ones only for
/// the microseconds one add or remove takes.
/// </para>
/// </remarks>
public sealed class PdqIndex<TId> : IDisposable
    where TId : notnull
{
    private const int ChunkCount = 16;
    private const int ChunkBits = 16;
    private const int MaxProbeRadius = 2;
    private const int InitialBucketCapacity = 4;

    // Chunk masks by weight: [0] is 0, then the 16 one-bit masks, then the 120 two-bit masks.
    private static readonly ushort[] ProbeMasks = BuildProbeMasks();
    private static readonly int[] ProbeCountByRadius = [1, 1 + 16, 1 + 16 + 120];

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly IEqualityComparer<TId> _idComparer;
    private readonly Bucket[] _buckets = new Bucket[ChunkCount << ChunkBits];
    private PdqHash[] _hashes;
    private TId[] _ids;
    private bool[] _live;
    private int[] _freeSlots = [];
    private int _freeCount;
    private int _slotCount;
    private int _count;

    public PdqIndex(int capacity = 1024, IEqualityComparer<TId>? idComparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        capacity = Math.Max(capacity, 16);
        _hashes = new PdqHash[capacity];
        _ids = new TId[capacity];
        _live = new bool[capacity];
        _idComparer = idComparer ?? EqualityComparer<TId>.Default;
    }

    /// <summary>Number of entries.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds an entry. The same hash may be added under several ids (and the same id twice).</summary>
    public void Add(in PdqHash hash, TId id)
    {
        _lock.EnterWriteLock();
        try
        {
            AddLocked(hash, id);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Adds many entries under one write lock (e.g. when loading at start).</summary>
    public void AddRange(ReadOnlySpan<PdqHash> hashes, ReadOnlySpan<TId> ids)
    {
        if (hashes.Length != ids.Length)
        {
            throw new ArgumentException($"{hashes.Length} hashes but {ids.Length} ids.", nameof(ids));
        }

        _lock.EnterWriteLock();
        try
        {
            EnsureSlotCapacity(_slotCount + hashes.Length - _freeCount);
            for (var i = 0; i < hashes.Length; i++)
            {
                AddLocked(hashes[i], ids[i]);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes one entry with this hash and id; false when there is none.</summary>
    public bool Remove(in PdqHash hash, TId id)
    {
        _lock.EnterWriteLock();
        try
        {
            ref var first = ref _buckets[hash.GetChunk16(0)];
            var slot = -1;
            for (var i = 0; i < first.Count; i++)
            {
                var candidate = first.Slots![i];
                if (_hashes[candidate] == hash && _idComparer.Equals(_ids[candidate], id))
                {
                    slot = candidate;
                    break;
                }
            }

            if (slot < 0)
            {
                return false;
            }

            for (var c = 0; c < ChunkCount; c++)
            {
                RemoveFromBucket(ref _buckets[(c << ChunkBits) | hash.GetChunk16(c)], slot);
            }

            _live[slot] = false;
            _ids[slot] = default!;
            _hashes[slot] = default;
            if (_freeCount == _freeSlots.Length)
            {
                Array.Resize(ref _freeSlots, Math.Max(16, _freeSlots.Length * 2));
            }

            _freeSlots[_freeCount++] = slot;
            _count--;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Every entry within <paramref name="maxDistance"/> bits (0..256) of <paramref name="query"/>,
    /// nearest first (ties in slot order), at most <paramref name="maxResults"/>.
    /// </summary>
    public IReadOnlyList<PdqMatch<TId>> Query(in PdqHash query, int maxDistance, int maxResults = int.MaxValue)
    {
        var results = new List<PdqMatch<TId>>();
        Query(query, maxDistance, maxResults, results);
        return results;
    }

    /// <summary>Appends the matches to <paramref name="results"/> and returns how many it appended.</summary>
    public int Query(in PdqHash query, int maxDistance, int maxResults, List<PdqMatch<TId>> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDistance, PdqHash.BitLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxResults);
        ArgumentNullException.ThrowIfNull(results);

        var found = new MatchCollector(64);
        _lock.EnterReadLock();
        try
        {
            if (maxDistance / ChunkCount > MaxProbeRadius)
            {
                Scan(query, maxDistance, ref found);
            }
            else
            {
                Probe(query, maxDistance, ref found);
            }

            return found.CopySorted<TId>(_ids, maxResults, results);
        }
        finally
        {
            _lock.ExitReadLock();
            found.Dispose();
        }
    }

    public void Dispose() => _lock.Dispose();

    private unsafe void Probe(in PdqHash query, int maxDistance, ref MatchCollector found)
    {
        // d = 16a + b: chunks 0..b are probed within a bits, chunks b+1..15 within a-1 (see remarks).
        var a = maxDistance / ChunkCount;
        var b = maxDistance % ChunkCount;
        ulong q0 = query.Word0, q1 = query.Word1, q2 = query.Word2, q3 = query.Word3;
        ref var hashes = ref MemoryMarshal.GetArrayDataReference(_hashes);
        ref var buckets = ref MemoryMarshal.GetArrayDataReference(_buckets);
        var masks = ProbeMasks;

        for (var c = 0; c < ChunkCount; c++)
        {
            var radius = c <= b ? a : a - 1;
            if (radius < 0)
            {
                break;
            }

            var probeCount = ProbeCountByRadius[radius];
            var tableBase = c << ChunkBits;
            var queryChunk = query.GetChunk16(c);
            for (var m = 0; m < probeCount; m++)
            {
                ref var bucket = ref Unsafe.Add(ref buckets, tableBase | (queryChunk ^ masks[m]));
                var count = bucket.Count;
                if (count == 0)
                {
                    continue;
                }

                ref var slots = ref MemoryMarshal.GetArrayDataReference(bucket.Slots!);
                if (Sse.IsSupported)
                {
                    // Candidates are independent cache misses: start the first few loads together.
                    for (var i = 0; i < count && i < 8; i++)
                    {
                        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref hashes, Unsafe.Add(ref slots, i))));
                    }
                }

                for (var i = 0; i < count; i++)
                {
                    if (Sse.IsSupported && i + 8 < count)
                    {
                        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref hashes, Unsafe.Add(ref slots, i + 8))));
                    }

                    var slot = Unsafe.Add(ref slots, i);
                    ref var h = ref Unsafe.Add(ref hashes, slot);
                    ulong x0 = h.Word0 ^ q0, x1 = h.Word1 ^ q1, x2 = h.Word2 ^ q2, x3 = h.Word3 ^ q3;
                    var distance = BitOperations.PopCount(x0) + BitOperations.PopCount(x1)
                        + BitOperations.PopCount(x2) + BitOperations.PopCount(x3);
                    if (distance <= maxDistance && !FoundInEarlierTable(x0, x1, x2, x3, c, a, b))
                    {
                        found.Add(distance, slot);
                    }
                }
            }
        }
    }

    // True when a chunk before `table` also had this hash within its probe radius, so it was reported there.
    private static bool FoundInEarlierTable(ulong x0, ulong x1, ulong x2, ulong x3, int table, int a, int b)
    {
        for (var c = 0; c < table; c++)
        {
            var radius = c <= b ? a : a - 1;
            var word = (c >> 2) switch
            {
                0 => x3,
                1 => x2,
                2 => x1,
                _ => x0,
            };
            if (BitOperations.PopCount((uint)(ushort)(word >> ((c & 3) << 4))) <= radius)
            {
                return true;
            }
        }

        return false;
    }

    private void Scan(in PdqHash query, int maxDistance, ref MatchCollector found)
    {
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (_live[slot])
            {
                var distance = _hashes[slot].Distance(query);
                if (distance <= maxDistance)
                {
                    found.Add(distance, slot);
                }
            }
        }
    }

    private void AddLocked(in PdqHash hash, TId id)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _freeSlots[--_freeCount];
        }
        else
        {
            EnsureSlotCapacity(_slotCount + 1);
            slot = _slotCount++;
        }

        _hashes[slot] = hash;
        _ids[slot] = id;
        _live[slot] = true;
        for (var c = 0; c < ChunkCount; c++)
        {
            AddToBucket(ref _buckets[(c << ChunkBits) | hash.GetChunk16(c)], slot);
        }

        _count++;
    }

    private void EnsureSlotCapacity(int needed)
    {
        if (needed <= _hashes.Length)
        {
            return;
        }

        var capacity = Math.Max(needed, _hashes.Length * 2);
        Array.Resize(ref _hashes, capacity);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _live, capacity);
    }

    private static void AddToBucket(ref Bucket bucket, int slot)
    {
        if (bucket.Slots is null)
        {
            bucket.Slots = new int[InitialBucketCapacity];
        }
        else if (bucket.Count == bucket.Slots.Length)
        {
            // 1.5x growth: buckets are many and small, so slack costs more than the extra copies.
            Array.Resize(ref bucket.Slots, bucket.Slots.Length + (bucket.Slots.Length >> 1));
        }

        bucket.Slots[bucket.Count++] = slot;
    }

    private static void RemoveFromBucket(ref Bucket bucket, int slot)
    {
        var slots = bucket.Slots!;
        for (var i = 0; i < bucket.Count; i++)
        {
            if (slots[i] == slot)
            {
                slots[i] = slots[--bucket.Count];
                if (bucket.Count == 0)
                {
                    bucket.Slots = null;
                }

                return;
            }
        }
    }

    private static ushort[] BuildProbeMasks()
    {
        var masks = new List<ushort> { 0 };
        for (var b = 0; b < ChunkBits; b++)
        {
            masks.Add((ushort)(1 << b));
        }

        for (var b1 = 0; b1 < ChunkBits; b1++)
        {
            for (var b2 = b1 + 1; b2 < ChunkBits; b2++)
            {
                masks.Add((ushort)((1 << b1) | (1 << b2)));
            }
        }

        return [.. masks];
    }

    private struct Bucket
    {
        public int[]? Slots;
        public int Count;
    }
}
