using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>
/// Near-match candidates for videos: every distinct frame hash of every indexed video in one <see cref="PdqIndex{TId}"/>
/// (multi-index hashing, recall equal to brute force), each entry naming its video by a compact slot. A video is a
/// candidate for a query when some query frame and some of its frames, both at or above the quality threshold, are
/// within the distance: exactly the videos for which the reference rule can find a matching frame, so computing the
/// two shares over the candidates alone gives the same matches as comparing with every stored video.
/// </summary>
/// <remarks>
/// Threading: queries may run concurrently with each other and with one writer at a time (the caller serializes
/// <see cref="Add"/> and <see cref="Remove"/>). The frames are not kept here (the caller stores them): removing a video
/// takes its frames again. Memory: the PDQ index's ~80 bytes per frame entry plus one slot per video.
/// </remarks>
public sealed class VpdqIndex<TVideo> : IDisposable
    where TVideo : notnull
{
    private readonly PdqIndex<Entry> frames;
    private readonly Dictionary<TVideo, int> slots;
    private readonly List<TVideo?> videos = [];
    private readonly Stack<int> free = new();
    private readonly ReaderWriterLockSlim slotLock = new(LockRecursionPolicy.NoRecursion);

    /// <summary>Creates an empty index sized for about <paramref name="frameCapacity"/> frame entries.</summary>
    public VpdqIndex(int frameCapacity = 1024, IEqualityComparer<TVideo>? comparer = null)
    {
        frames = new PdqIndex<Entry>(frameCapacity);
        slots = new Dictionary<TVideo, int>(comparer);
    }

    /// <summary>Videos indexed.</summary>
    public int VideoCount
    {
        get
        {
            slotLock.EnterReadLock();
            try
            {
                return slots.Count;
            }
            finally
            {
                slotLock.ExitReadLock();
            }
        }
    }

    /// <summary>Frame entries indexed (distinct hash + quality pairs per video).</summary>
    public int FrameCount => frames.Count;

    /// <summary>Whether <paramref name="video"/> is indexed.</summary>
    public bool Contains(TVideo video)
    {
        slotLock.EnterReadLock();
        try
        {
            return slots.ContainsKey(video);
        }
        finally
        {
            slotLock.ExitReadLock();
        }
    }

    /// <summary>Indexes a video's frames; false (and nothing changes) when it is indexed already.</summary>
    public bool Add(TVideo video, VpdqFrameSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int slot;
        slotLock.EnterWriteLock();
        try
        {
            if (slots.ContainsKey(video))
            {
                return false;
            }

            if (free.TryPop(out slot))
            {
                videos[slot] = video;
            }
            else
            {
                slot = videos.Count;
                videos.Add(video);
            }

            slots.Add(video, slot);
        }
        finally
        {
            slotLock.ExitWriteLock();
        }

        var hashes = new PdqHash[set.Features.Length];
        var entries = new Entry[hashes.Length];
        for (var i = 0; i < hashes.Length; i++)
        {
            var feature = set.Features[i];
            hashes[i] = feature.Hash;
            entries[i] = new Entry(slot, (byte)feature.Quality, feature.FirstTimestampMs);
        }

        frames.AddRange(hashes, entries);
        return true;
    }

    /// <summary>Removes a video, given the frames it was added with; false when it is not indexed.</summary>
    public bool Remove(TVideo video, VpdqFrameSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int slot;
        slotLock.EnterReadLock();
        try
        {
            if (!slots.TryGetValue(video, out slot))
            {
                return false;
            }
        }
        finally
        {
            slotLock.ExitReadLock();
        }

        foreach (var feature in set.Features)
        {
            frames.Remove(feature.Hash, new Entry(slot, (byte)feature.Quality, feature.FirstTimestampMs));
        }

        slotLock.EnterWriteLock();
        try
        {
            slots.Remove(video);
            videos[slot] = default;
            free.Push(slot);
        }
        finally
        {
            slotLock.ExitWriteLock();
        }

        return true;
    }

    /// <summary>
    /// The indexed videos with at least one frame (quality at least <paramref name="minQuality"/>) within
    /// <paramref name="maxDistance"/> of a query frame of that quality, each once, that <paramref name="include"/> accepts.
    /// </summary>
    public IReadOnlyList<TVideo> Candidates(VpdqFrameSet query, int maxDistance, int minQuality, Func<TVideo, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = new HashSet<int>();
        var matches = new List<PdqMatch<Entry>>();
        foreach (var feature in query.Features)
        {
            if (feature.Quality < minQuality)
            {
                continue;
            }

            matches.Clear();
            frames.Query(feature.Hash, maxDistance, int.MaxValue, matches);
            foreach (var match in matches)
            {
                if (match.Id.Quality >= minQuality)
                {
                    found.Add(match.Id.Slot);
                }
            }
        }

        var result = new List<TVideo>(found.Count);
        slotLock.EnterReadLock();
        try
        {
            foreach (var slot in found)
            {
                // A slot freed since the frame query ran holds default and is skipped.
                if (videos[slot] is { } video && (include is null || include(video)))
                {
                    result.Add(video);
                }
            }
        }
        finally
        {
            slotLock.ExitReadLock();
        }

        return result;
    }

    /// <summary>
    /// The indexed videos holding a frame (quality at least <paramref name="minQuality"/>) within <paramref name="maxDistance"/>
    /// of one image hash, each once with its nearest such frame's distance and first timestamp, nearest first.
    /// </summary>
    public IReadOnlyList<(TVideo Video, int Distance, uint TimestampMs)> VideosWithFrame(in PdqHash hash, int maxDistance, int minQuality, Func<TVideo, bool>? include = null)
    {
        var best = new Dictionary<int, (int Distance, uint TimestampMs)>();
        foreach (var match in frames.Query(hash, maxDistance))
        {
            if (match.Id.Quality >= minQuality && !best.ContainsKey(match.Id.Slot))
            {
                best.Add(match.Id.Slot, (match.Distance, match.Id.TimestampMs));
            }
        }

        var resolved = new List<(TVideo, int, uint)>();
        slotLock.EnterReadLock();
        try
        {
            foreach (var (slot, (distance, timestamp)) in best)
            {
                if (videos[slot] is { } video && (include is null || include(video)))
                {
                    resolved.Add((video, distance, timestamp));
                }
            }
        }
        finally
        {
            slotLock.ExitReadLock();
        }

        resolved.Sort(static (a, b) => a.Item2.CompareTo(b.Item2));
        return resolved;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        frames.Dispose();
        slotLock.Dispose();
    }

    // One frame of one video: its slot, quality and first timestamp (the hash is the index key).
    private readonly record struct Entry(int Slot, byte Quality, uint TimestampMs);
}
