using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Federation.Core.Pdq;

/// <summary>
/// Recent additions to a <see cref="PdqIndex{TId}"/>, not yet merged into its compacted segment:
/// contiguous hashes scanned linearly (the delta is kept to a few thousand entries). Removals mark
/// entries dead so that positions never move while a merger reads them.
/// </summary>
internal sealed class PdqIndexDelta<TId>
{
    private ulong[] _words;
    private TId[] _ids;
    private ulong[] _dead;

    public PdqIndexDelta(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _words = new ulong[capacity << 2];
        _ids = new TId[capacity];
        _dead = new ulong[(capacity + 63) >> 6];
    }

    /// <summary>Entries, dead ones included.</summary>
    public int Count { get; private set; }

    public int DeadCount { get; private set; }

    /// <summary>Little-endian hash words, four per entry.</summary>
    public ulong[] Words => _words;

    public TId[] Ids => _ids;

    public ulong[] SnapshotDead() => (ulong[])_dead.Clone();

    public void EnsureCapacity(int needed)
    {
        if (needed <= _ids.Length)
        {
            return;
        }

        var capacity = Math.Max(needed, _ids.Length * 2);
        Array.Resize(ref _words, capacity << 2);
        Array.Resize(ref _ids, capacity);
        Array.Resize(ref _dead, (capacity + 63) >> 6);
    }

    public void Add(in PdqHash hash, TId id)
    {
        EnsureCapacity(Count + 1);
        var at = Count << 2;
        _words[at] = hash.Word3;
        _words[at + 1] = hash.Word2;
        _words[at + 2] = hash.Word1;
        _words[at + 3] = hash.Word0;
        _ids[Count] = id;
        Count++;
    }

    public bool TryRemove(in PdqHash hash, TId id, IEqualityComparer<TId> comparer)
    {
        var words = _words;
        for (var i = 0; i < Count; i++)
        {
            var at = i << 2;
            if (words[at] == hash.Word3 && words[at + 1] == hash.Word2 && words[at + 2] == hash.Word1 && words[at + 3] == hash.Word0
                && (_dead[i >> 6] & (1UL << (i & 63))) == 0 && comparer.Equals(_ids[i], id))
            {
                _dead[i >> 6] |= 1UL << (i & 63);
                DeadCount++;
                return true;
            }
        }

        return false;
    }

    /// <summary>Appends (distance, <paramref name="slotOffset"/> + position) of live entries within the distance.</summary>
    /// <remarks>Every query runs this over up to a delta limit of entries: no bounds checks, matches (rare) off the loop.</remarks>
    public void Scan(in PdqHash query, int maxDistance, int slotOffset, PdqQueryScratch scratch)
    {
        ulong q0 = query.Word3, q1 = query.Word2, q2 = query.Word1, q3 = query.Word0;
        var count = Count;
        ref var h = ref MemoryMarshal.GetArrayDataReference(_words);
        for (var i = 0; i < count; i++, h = ref Unsafe.Add(ref h, 4))
        {
            var distance = BitOperations.PopCount(h ^ q0) + BitOperations.PopCount(Unsafe.Add(ref h, 1) ^ q1)
                + BitOperations.PopCount(Unsafe.Add(ref h, 2) ^ q2) + BitOperations.PopCount(Unsafe.Add(ref h, 3) ^ q3);
            if (distance <= maxDistance && (_dead[i >> 6] & (1UL << (i & 63))) == 0)
            {
                scratch.AddMatch(distance, slotOffset + i);
            }
        }
    }
}
