using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Federation.Core.Tests")]
[assembly: InternalsVisibleTo("Federation.Bench")]

namespace Federation.Core.Pdq;

/// <summary>
/// In-memory PDQ near-neighbour index (multi-index hashing) whose answers equal a brute-force scan.
/// </summary>
/// <remarks>
/// <para>
/// Layout: each hash is split into 11 chunks of 23-24 bits. Entries live in compacted segments: hashes
/// stored contiguously (one 32-byte-aligned hash per cache line) and, per chunk, a bucket directory over
/// the chunk's high bits pointing into 4-byte entries (slot + the chunk's 5 low bits), built by a counting
/// sort (<see cref="PdqIndexSegment{TId}"/>). Two segments: the main one and a smaller recent one, so
/// that live adds rebuild the small one and touch the main one only rarely. Recent additions go to a delta
/// that queries scan linearly; removals mark entries dead. When the delta reaches
/// <c>clamp(n / 256, 1024, 2048)</c> entries a background task merges it into the recent segment, or,
/// once that would pass <c>sqrt(2 n 8192 / 16)</c> entries (~100k at 10M, the size that minimises merge
/// work per add), appends recent and delta to the main segment: main's slots and sorted runs are kept, so
/// that is a sequential copy, not a rebuild. Main is rebuilt only to drop many dead entries or to grow
/// its directory.
/// </para>
/// <para>
/// Why recall equals brute force (pigeonhole): the distance of two hashes is the sum of the distances
/// of their 11 chunks. Write the threshold d = 11a + b with 0 ≤ b &lt; 11. If chunks 0..b each differed
/// by more than a bits and chunks b+1..10 each by more than a-1 bits, the total would be at least
/// (b+1)(a+1) + (10-b)a = 11a + b + 1 &gt; d. So every hash within d has one of chunks 0..b within a
/// bits of the query's, or one of chunks b+1..10 within a-1 bits: probing exactly those buckets finds
/// every match. d = 31: chunks 0..9 within two bits and chunk 10 within one (~3,000 chunk values, ~1 entry
/// each at 10M, against ~41,000 candidates with 16 chunks of 16 bits); up to 43 within three bits. Every
/// candidate is checked against its full 256-bit distance, so there are no false positives either.
/// Larger thresholds fall back to a full scan. A hash found through several chunks is reported once:
/// from the first chunk whose radius covers it.
/// </para>
/// <para>
/// Threading: any number of concurrent readers (<see cref="Query(in PdqHash, int, int)"/>,
/// <see cref="Count"/>) with writers (<see cref="Add"/>, <see cref="AddRange"/>, <see cref="Remove"/>)
/// serialized among themselves; a writer blocks readers (<see cref="ReaderWriterLockSlim"/>) only for
/// the microseconds one add or remove takes, and a merge only for swapping in the new segment.
/// </para>
/// </remarks>
public sealed class PdqIndex<TId> : IDisposable
    where TId : notnull
{
    private const int DefaultMinDeltaLimit = 1024;
    private const int MaxDeltaLimit = 2048;
    private const int PlanningMaxDeltaLimit = 8192;

    // How much cheaper an entry is to carry over in an append than to place in a full build (measured at 10M).
    private const double AppendSpeedup = 16;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _writerGate = new();
    private readonly IEqualityComparer<TId> _idComparer;
    private readonly int _minDeltaLimit;
    private PdqIndexSegment<TId> _main = PdqIndexSegment<TId>.Empty;
    private PdqIndexSegment<TId> _recent = PdqIndexSegment<TId>.Empty;
    private PdqIndexDelta<TId>? _frozen;
    private PdqIndexDelta<TId> _delta;
    private List<(PdqHash Hash, TId Id)>? _removedDuringMerge;
    private bool _mergingMain;
    private Task? _merge;
    private bool _disposed;
    private int _count;

    public PdqIndex(int capacity = 1024, IEqualityComparer<TId>? idComparer = null)
        : this(capacity, idComparer, DefaultMinDeltaLimit)
    {
    }

    /// <summary>For tests: a small <paramref name="minDeltaLimit"/> makes merges frequent.</summary>
    internal PdqIndex(int capacity, IEqualityComparer<TId>? idComparer, int minDeltaLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(minDeltaLimit, 1);
        _minDeltaLimit = minDeltaLimit;
        _delta = new PdqIndexDelta<TId>(Math.Min(capacity, minDeltaLimit));
        _idComparer = idComparer ?? EqualityComparer<TId>.Default;
    }

    /// <summary>Number of entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Entries in the unmerged delta (for tests and diagnostics).</summary>
    internal int DeltaCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _delta.Count + (_frozen?.Count ?? 0);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Called on the merge task after each merge with how long it took (the host's metrics); keep it short.</summary>
    public Action<TimeSpan>? MergeCompleted { get; set; }

    /// <summary>For benchmarks: called on the merge task after each merge with its kind, size, wall and CPU time.</summary>
    internal Action<PdqMergeReport>? MergeReported { get; set; }

    /// <summary>Entries in the recent segment (for tests and diagnostics).</summary>
    internal int RecentCount => Volatile.Read(ref _recent).Count;

    /// <summary>For tests: whether the running merge folds into the main segment (read from <see cref="BeforeMergeBuild"/>).</summary>
    internal bool MergingMain => Volatile.Read(ref _mergingMain);

    /// <summary>Whether a merge task is running (for benchmarks; read without locks).</summary>
    internal bool MergeRunning => Volatile.Read(ref _merge) is not null;

    /// <summary>Slots in the main segment, dead ones included (for tests and diagnostics).</summary>
    internal int MainCount => Volatile.Read(ref _main).Count;

    /// <summary>For tests: runs on the merge task after the delta is frozen, before the segment is built.</summary>
    internal Action? BeforeMergeBuild { get; set; }

    private int DeltaLimit => Math.Clamp(_main.Count / 256, _minDeltaLimit, Math.Max(_minDeltaLimit, MaxDeltaLimit));

    // The delta limit the recent segment's size is planned for: the delta is kept smaller than that (every query
    // scans it, ~2 ns an entry) at the price of more frequent recent rebuilds, which at ~100k entries are cheap.
    private int PlanningDeltaLimit => Math.Clamp(_main.Count / 256, _minDeltaLimit, Math.Max(_minDeltaLimit, PlanningMaxDeltaLimit));

    // The recent segment's largest size. Folding it into main costs ~n/limit entry-copies per add (a sequential
    // append), rebuilding it ~limit/(2 delta) entry-sorts per add; an append copies an entry ~16x faster than a
    // counting sort places one at 10M, which puts the optimum near sqrt(2 n delta / 16) (~100k at 10M).
    private int RecentLimit => Math.Max(4 * PlanningDeltaLimit, (int)Math.Sqrt(2.0 * _main.Count * PlanningDeltaLimit / AppendSpeedup));

    /// <summary>Adds an entry. The same hash may be added under several ids (and the same id twice).</summary>
    public void Add(in PdqHash hash, TId id)
    {
        lock (_writerGate)
        {
            _lock.EnterWriteLock();
            try
            {
                _delta.Add(hash, id);
                _count++;
            }
            finally
            {
                _lock.ExitWriteLock();
            }

            StartMergeIfNeeded();
        }
    }

    /// <summary>
    /// Adds many entries (e.g. when loading at start). A batch larger than the delta limit is merged into
    /// the compacted segment before this returns.
    /// </summary>
    public void AddRange(ReadOnlySpan<PdqHash> hashes, ReadOnlySpan<TId> ids)
    {
        if (hashes.Length != ids.Length)
        {
            throw new ArgumentException($"{hashes.Length} hashes but {ids.Length} ids.", nameof(ids));
        }

        Task? wait = null;
        lock (_writerGate)
        {
            _lock.EnterWriteLock();
            try
            {
                _delta.EnsureCapacity(_delta.Count + hashes.Length);
                for (var i = 0; i < hashes.Length; i++)
                {
                    _delta.Add(hashes[i], ids[i]);
                }

                _count += hashes.Length;
            }
            finally
            {
                _lock.ExitWriteLock();
            }

            StartMergeIfNeeded();
            if (hashes.Length >= DeltaLimit)
            {
                wait = _merge;
            }
        }

        wait?.Wait();
    }

    /// <summary>Removes one entry with this hash and id; false when there is none.</summary>
    public bool Remove(in PdqHash hash, TId id)
    {
        lock (_writerGate)
        {
            bool removed;
            _lock.EnterWriteLock();
            try
            {
                removed = _delta.TryRemove(hash, id, _idComparer);
                if (!removed)
                {
                    var merged = (_frozen?.TryRemove(hash, id, _idComparer) ?? false) || _recent.TryRemove(hash, id, _idComparer);
                    var inMain = !merged && _main.TryRemove(hash, id, _idComparer);
                    removed = merged || inMain;

                    // A merge in progress copies what was live in its inputs when it started: replay this on
                    // its result, unless the entry was in the main segment and the merge leaves that alone.
                    if (merged || (inMain && _mergingMain))
                    {
                        _removedDuringMerge?.Add((hash, id));
                    }
                }

                if (removed)
                {
                    _count--;
                }
            }
            finally
            {
                _lock.ExitWriteLock();
            }

            StartMergeIfNeeded();
            return removed;
        }
    }

    /// <summary>
    /// Every entry within <paramref name="maxDistance"/> bits (0..256) of <paramref name="query"/>,
    /// nearest first (ties in insertion order), at most <paramref name="maxResults"/>.
    /// </summary>
    public IReadOnlyList<PdqMatch<TId>> Query(in PdqHash query, int maxDistance, int maxResults = int.MaxValue)
    {
        var results = new List<PdqMatch<TId>>();
        Query(query, maxDistance, maxResults, results);
        return results;
    }

    /// <summary>
    /// Appends the matches to <paramref name="results"/> and returns how many it appended. Allocates
    /// nothing beyond growing <paramref name="results"/>.
    /// </summary>
    public int Query(in PdqHash query, int maxDistance, int maxResults, List<PdqMatch<TId>> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDistance, PdqHash.BitLength);
        ArgumentOutOfRangeException.ThrowIfNegative(maxResults);
        ArgumentNullException.ThrowIfNull(results);

        var scratch = PdqQueryScratch.Current;
        scratch.Reset();
        _lock.EnterReadLock();
        try
        {
            var main = _main;
            var recent = _recent;
            var frozen = _frozen;
            var delta = _delta;
            main.Query(query, maxDistance, 0, scratch);
            var recentBase = main.Count;
            recent.Query(query, maxDistance, recentBase, scratch);
            var frozenBase = recentBase + recent.Count;
            frozen?.Scan(query, maxDistance, frozenBase, scratch);
            var deltaBase = frozenBase + (frozen?.Count ?? 0);
            delta.Scan(query, maxDistance, deltaBase, scratch);

            // Sorted by distance, then slot (insertion order).
            var found = scratch.Matches;
            found.Sort();
            var take = Math.Min(maxResults, found.Length);
            for (var i = 0; i < take; i++)
            {
                var slot = (int)(uint)found[i];
                var id = slot < recentBase ? main.GetId(slot)
                    : slot < frozenBase ? recent.GetId(slot - recentBase)
                    : slot < deltaBase ? frozen!.Ids[slot - frozenBase]
                    : delta.Ids[slot - deltaBase];
                results.Add(new PdqMatch<TId>(id, (int)(found[i] >> 32)));
            }

            return take;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Waits until no merge is running or due (for tests and benchmarks).</summary>
    internal void WaitForMerges()
    {
        while (true)
        {
            Task? merge;
            lock (_writerGate)
            {
                merge = _merge;
            }

            if (merge is null)
            {
                return;
            }

            merge.Wait();
        }
    }

    public void Dispose()
    {
        Task? merge;
        lock (_writerGate)
        {
            _disposed = true;
            merge = _merge;
        }

        try
        {
            merge?.Wait();
        }
        catch (AggregateException)
        {
            // A failed merge leaves the index searchable (delta scanned); nothing more to release.
        }

        _lock.Dispose();
    }

    // Caller holds the writer gate.
    private void StartMergeIfNeeded()
    {
        if (_merge is null && !_disposed && MergeDue())
        {
            // A dedicated thread (not a pool thread) so that its priority can be lowered for good.
            _merge = Task.Factory.StartNew(MergeLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    // Caller holds the writer gate.
    private bool MergeDue() => _delta.Count >= DeltaLimit || ManyDead(_main) || ManyDead(_recent);

    private bool ManyDead(PdqIndexSegment<TId> segment) =>
        segment.DeadCount > 0 && segment.DeadCount >= Math.Max(DeltaLimit, segment.Count >> 3);

    // The slow part of a merge, without locks. Folding into main appends to it (its slots and runs kept) unless
    // its dead entries are due for compaction or the larger count needs a larger directory.
    private static (PdqIndexSegment<TId> Built, PdqMergeKind Kind) Build(
        PdqIndexSegment<TId> main, ulong[] mainDead, PdqIndexSegment<TId> recent, ulong[] recentDead, PdqIndexDelta<TId> frozen, ulong[] frozenDead, bool full, bool compact)
    {
        if (!full)
        {
            return (PdqIndexSegment<TId>.Build([(recent, recentDead)], frozen, frozenDead), PdqMergeKind.Recent);
        }

        if (!compact && main.CanAppendTo((long)main.Count + recent.Count + frozen.Count))
        {
            return (main.Append(mainDead, [(recent, recentDead)], frozen, frozenDead), PdqMergeKind.MainAppend);
        }

        return (PdqIndexSegment<TId>.Build([(main, mainDead), (recent, recentDead)], frozen, frozenDead), PdqMergeKind.MainRebuild);
    }

    private void MergeLoop()
    {
        PdqMergeThreadPriority.LowerCurrentThread();
        while (true)
        {
            PdqIndexSegment<TId> main, recent;
            PdqIndexDelta<TId> frozen;
            ulong[] mainDead, recentDead, frozenDead;
            bool full, compact;
            lock (_writerGate)
            {
                main = _main;
                recent = _recent;
                frozen = _delta;
                compact = ManyDead(main);
                full = compact || (long)recent.Count + frozen.Count > RecentLimit;
                mainDead = main.SnapshotDead();
                recentDead = recent.SnapshotDead();
                frozenDead = frozen.SnapshotDead();
                _lock.EnterWriteLock();
                try
                {
                    _frozen = frozen;
                    _delta = new PdqIndexDelta<TId>(_minDeltaLimit);
                    _removedDuringMerge = [];
                    _mergingMain = full;
                }
                finally
                {
                    _lock.ExitWriteLock();
                }
            }

            // The slow part runs without locks: main's hashes and ids and the frozen delta's entries no
            // longer change, and the dead bitmaps were copied above.
            BeforeMergeBuild?.Invoke();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var cpuStarted = PdqThreadCpuTime.Now();
            var (built, kind) = Build(main, mainDead, recent, recentDead, frozen, frozenDead, full, compact);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var cpu = PdqThreadCpuTime.Now() - cpuStarted;

            lock (_writerGate)
            {
                _lock.EnterWriteLock();
                try
                {
                    foreach (var (hash, id) in _removedDuringMerge!)
                    {
                        built.TryRemove(hash, id, _idComparer);
                    }

                    if (full)
                    {
                        _main = built;
                        _recent = PdqIndexSegment<TId>.Empty;
                    }
                    else
                    {
                        _recent = built;
                    }

                    _frozen = null;
                    _removedDuringMerge = null;
                    _mergingMain = false;
                }
                finally
                {
                    _lock.ExitWriteLock();
                }

                MergeCompleted?.Invoke(took);
                MergeReported?.Invoke(new PdqMergeReport(kind, built.Count, took, cpu));

                if (_disposed || !MergeDue())
                {
                    _merge = null;
                    return;
                }
            }
        }
    }
}
