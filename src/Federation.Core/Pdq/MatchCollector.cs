using System.Buffers;

namespace Federation.Core.Pdq;

/// <summary>
/// Scratch list of (distance, slot) pairs packed in a long so that one primitive sort orders them by
/// distance, then by slot. Rented from the shared pool; callers must <see cref="Dispose"/>.
/// </summary>
internal struct MatchCollector : IDisposable
{
    private long[] _items;
    private int _count;

    public MatchCollector(int initialCapacity)
    {
        _items = ArrayPool<long>.Shared.Rent(initialCapacity);
        _count = 0;
    }

    public readonly int Count => _count;

    public void Add(int distance, int slot)
    {
        if (_count == _items.Length)
        {
            var larger = ArrayPool<long>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<long>.Shared.Return(_items);
            _items = larger;
        }

        _items[_count++] = ((long)distance << 32) | (uint)slot;
    }

    /// <summary>Sorts by distance then slot and appends at most <paramref name="maxResults"/> matches.</summary>
    public readonly int CopySorted<TId>(ReadOnlySpan<TId> ids, int maxResults, List<PdqMatch<TId>> results)
    {
        var found = _items.AsSpan(0, _count);
        found.Sort();
        var take = Math.Min(maxResults, found.Length);
        for (var i = 0; i < take; i++)
        {
            var packed = found[i];
            results.Add(new PdqMatch<TId>(ids[(int)(uint)packed], (int)(packed >> 32)));
        }

        return take;
    }

    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<long>.Shared.Return(_items);
            _items = null!;
        }
    }
}
