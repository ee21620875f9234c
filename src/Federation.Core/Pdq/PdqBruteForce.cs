namespace Federation.Core.Pdq;

/// <summary>
/// Linear scan over every stored hash: the exact baseline that <see cref="PdqIndex{TId}"/> must equal.
/// </summary>
/// <remarks>Not thread-safe: use from one thread, or only read concurrently once fully built.</remarks>
public sealed class PdqBruteForce<TId>
    where TId : notnull
{
    private readonly IEqualityComparer<TId> _idComparer;
    private PdqHash[] _hashes;
    private TId[] _ids;
    private int _count;

    public PdqBruteForce(int capacity = 16, IEqualityComparer<TId>? idComparer = null)
    {
        _hashes = new PdqHash[Math.Max(capacity, 1)];
        _ids = new TId[_hashes.Length];
        _idComparer = idComparer ?? EqualityComparer<TId>.Default;
    }

    public int Count => _count;

    public void Add(in PdqHash hash, TId id)
    {
        if (_count == _hashes.Length)
        {
            Array.Resize(ref _hashes, _count * 2);
            Array.Resize(ref _ids, _count * 2);
        }

        _hashes[_count] = hash;
        _ids[_count] = id;
        _count++;
    }

    /// <summary>Removes one entry with this hash and id; false when there is none.</summary>
    public bool Remove(in PdqHash hash, TId id)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_hashes[i] == hash && _idComparer.Equals(_ids[i], id))
            {
                _count--;
                _hashes[i] = _hashes[_count];
                _ids[i] = _ids[_count];
                _ids[_count] = default!;
                return true;
            }
        }

        return false;
    }

    /// <summary>Every entry within <paramref name="maxDistance"/>, nearest first, at most <paramref name="maxResults"/>.</summary>
    public IReadOnlyList<PdqMatch<TId>> Query(in PdqHash query, int maxDistance, int maxResults = int.MaxValue)
    {
        var results = new List<PdqMatch<TId>>();
        Query(query, maxDistance, maxResults, results);
        return results;
    }

    /// <summary>Appends the matches to <paramref name="results"/> and returns how many it appended.</summary>
    public int Query(in PdqHash query, int maxDistance, int maxResults, List<PdqMatch<TId>> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxResults);
        ArgumentNullException.ThrowIfNull(results);
        var found = new MatchCollector(64);
        try
        {
            var hashes = _hashes.AsSpan(0, _count);
            for (var i = 0; i < hashes.Length; i++)
            {
                var distance = hashes[i].Distance(query);
                if (distance <= maxDistance)
                {
                    found.Add(distance, i);
                }
            }

            return found.CopySorted<TId>(_ids, maxResults, results);
        }
        finally
        {
            found.Dispose();
        }
    }

    /// <summary>How many entries lie within <paramref name="maxDistance"/> (the bare scan, for benchmarks).</summary>
    public int CountWithin(in PdqHash query, int maxDistance)
    {
        var matches = 0;
        var hashes = _hashes.AsSpan(0, _count);
        for (var i = 0; i < hashes.Length; i++)
        {
            if (hashes[i].Distance(query) <= maxDistance)
            {
                matches++;
            }
        }

        return matches;
    }
}
