namespace Federation.Core.Pdq;

/// <summary>
/// Per-thread buffers for <see cref="PdqIndex{TId}"/> queries, so that a query allocates nothing but
/// the results it returns. Matches are (distance, slot) packed in a long: one primitive sort orders
/// them by distance, then slot.
/// </summary>
internal sealed class PdqQueryScratch
{
    [ThreadStatic]
    private static PdqQueryScratch? t_current;

    private long[] _matches = new long[64];
    private int[] _candidates = new int[1024];

    /// <summary>Probed buckets of one segment (at most distance 43: every chunk within three bits).</summary>
    public ProbeRange[] Ranges { get; } = new ProbeRange[PdqIndexSegment<int>.MaxProbes];

    /// <summary>Per probed bucket, its residual filter: the query's residual bits and the radius left for them.</summary>
    public int[] Filters { get; } = new int[PdqIndexSegment<int>.MaxProbes];

    /// <summary>Per probed chunk, the end of its probes, then of its ranges, then of its candidates.</summary>
    public int[] ChunkEnds { get; } = new int[PdqIndexSegment<int>.ChunkCount];

    public int MatchCount { get; private set; }

    public static PdqQueryScratch Current => t_current ??= new PdqQueryScratch();

    public Span<long> Matches => _matches.AsSpan(0, MatchCount);

    public void Reset()
    {
        MatchCount = 0;
        if (_matches.Length > 1 << 16)
        {
            // A wide query (e.g. distance 256) needed a big buffer: do not keep it per thread.
            _matches = new long[64];
        }
    }

    public int[] EnsureCandidates(int count)
    {
        if (_candidates.Length < count)
        {
            _candidates = new int[Math.Max(count, _candidates.Length * 2)];
        }

        return _candidates;
    }

    public void AddMatch(int distance, int slot)
    {
        if (MatchCount == _matches.Length)
        {
            Array.Resize(ref _matches, _matches.Length * 2);
        }

        _matches[MatchCount++] = ((long)distance << 32) | (uint)slot;
    }
}
