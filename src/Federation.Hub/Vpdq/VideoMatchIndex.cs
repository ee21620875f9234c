using System.Threading.Channels;
using Federation.Core.Feed;
using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Feed;
using Federation.Hub.Health;
using Federation.Hub.Pdq;
using Federation.Hub.Signals;
using Federation.Hub.Storage;

namespace Federation.Hub.Vpdq;

/// <summary>
/// This replica's in-memory video index: the distinct frames of every ACTIVE VPDQ record (per sharing group), loaded from
/// Redis at start and kept current from the feed tail, with the same start-up consistency as <see cref="PdqMatchIndex"/>
/// (observer registered before the scan, entries applied after it in stream order, one writer). Frames of a video that
/// becomes active on the feed are read from its side key; a removed video's frames are read again to unindex them
/// (the key is immutable).
/// </summary>
public sealed class VideoMatchIndex(FeedTail tail, SignalStore store, StartupWalks walks, ILogger<VideoMatchIndex> logger) : BackgroundService, IVideoMatcher
{
    private readonly VpdqIndex<IndexedVideo> index = new(frameCapacity: 1 << 16);
    private readonly Channel<FeedEntry> pending = Channel.CreateUnbounded<FeedEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock writer = new();
    // The last feed entry applied per partition (every entry passes through, video or not, so positions advance in
    // partitions that carry no video), for consistency tokens.
    private readonly AppliedFeedPositions watermark = new();
    private volatile bool loaded;

    /// <summary>True once the start-up scan is complete; until then video look-ups are refused as UNAVAILABLE.</summary>
    public bool IsLoaded => loaded;

    /// <summary>Videos indexed (one per video and sharing group).</summary>
    public int VideoCount => index.VideoCount;

    /// <summary>Frame entries indexed.</summary>
    public int FrameCount => index.FrameCount;

    public IReadOnlyList<NormalizedSignal> FindCandidates(VpdqFrameSet query, int maxDistance, int minQuality, IReadOnlyList<string> callerGroups)
    {
        EnsureLoaded();
        return index.Candidates(query, maxDistance, minQuality, v => Visible(v, callerGroups))
            .Select(v => v.Video)
            .Distinct()
            .ToList();
    }

    public IReadOnlyList<(NormalizedSignal Video, int Distance, uint TimestampMs)> FindVideosWithFrame(in PdqHash hash, int maxDistance, int minQuality, IReadOnlyList<string> callerGroups)
    {
        EnsureLoaded();
        var seen = new HashSet<NormalizedSignal>();
        var result = new List<(NormalizedSignal, int, uint)>();
        foreach (var (video, distance, timestamp) in index.VideosWithFrame(hash, maxDistance, minQuality, v => Visible(v, callerGroups)))
        {
            if (seen.Add(video.Video))
            {
                result.Add((video.Video, distance, timestamp));
            }
        }

        return result;
    }

    public async Task WaitForAsync(IReadOnlyList<FeedPosition> positions, TimeSpan timeout, CancellationToken ct)
    {
        EnsureLoaded();
        try
        {
            await watermark.WaitAsync(positions, timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new VideoIndexBehindException(timeout);
        }
    }

    public void Remember(in NormalizedSignal video, string group, VpdqFrameSet frames)
    {
        if (loaded)
        {
            lock (writer)
            {
                index.Add(new IndexedVideo(video, group), frames);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = await tail.ObserveAsync(Observe, stoppingToken).ConfigureAwait(false);
        // The scan below covers every write before the observation started; the entries after it are applied in order.
        watermark.Start(observation.StartedAfter);
        // After the PDQ index's walk (StartupWalks): the feed entries meanwhile wait in the observation.
        await walks.WaitForReadinessWalkAsync(stoppingToken).ConfigureAwait(false);
        for (var p = 0; p < store.PartitionCount; p++)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await foreach (var record in store.ScanActiveAsync(p, stoppingToken, SignalKind.Vpdq).ConfigureAwait(false))
                    {
                        if (record is { Signal.Kind: SignalKind.Vpdq, Video: { } video })
                        {
                            lock (writer)
                            {
                                index.Add(new IndexedVideo(record.Signal, record.SharingGroup), video);
                            }
                        }
                    }

                    break;
                }
                catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Video index: scanning partition {Partition} failed ({Message}); retrying (attempt {Attempt})", p, e.Message, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), stoppingToken).ConfigureAwait(false);
                }
            }
        }

        loaded = true;
        logger.LogInformation("Video index loaded: {Videos} videos, {Frames} frame entries", index.VideoCount, index.FrameCount);
        while (await pending.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            // Apply what is there, then wake the consistency waiters once.
            while (pending.Reader.TryRead(out var entry))
            {
                if (entry.StorageKey.Length > 0 && entry.StorageKey[0] == (byte)SignalKind.Vpdq)
                {
                    await ApplyWithRetryAsync(entry, stoppingToken).ConfigureAwait(false);
                }

                watermark.Advance(entry.Partition, entry.Id);
            }

            watermark.Publish();
        }
    }

    private async Task ApplyWithRetryAsync(FeedEntry entry, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyAsync(entry).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Video index: reading frames for a feed entry failed ({Message}); retrying (attempt {Attempt})", e.Message, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override void Dispose()
    {
        index.Dispose();
        base.Dispose();
    }

    private async Task ApplyAsync(FeedEntry entry)
    {
        var (signal, group) = SignalStorageKey.Parse(entry.StorageKey);
        var id = new IndexedVideo(signal, group);
        var active = !FeedKinds.EndsRecord(entry.Kind);
        if (active == index.Contains(id))
        {
            return;
        }

        var frames = await store.GetVideoAsync(entry.Partition, signal).ConfigureAwait(false);
        if (frames is null)
        {
            logger.LogWarning("Video index: no frames stored for {Signal}", signal.Id);
            return;
        }

        lock (writer)
        {
            if (active)
            {
                index.Add(id, frames);
            }
            else
            {
                index.Remove(id, frames);
            }
        }
    }

    private void EnsureLoaded()
    {
        if (!loaded)
        {
            throw new VideoIndexLoadingException();
        }
    }

    private static bool Visible(IndexedVideo video, IReadOnlyList<string> groups) =>
        video.Group.Length == 0 || groups.Contains(video.Group, StringComparer.Ordinal);

    // Runs on the feed tail's thread: only hand the entry over, never block it. Every entry, not only videos, so the
    // applied positions advance for consistency tokens.
    private void Observe(FeedEntry entry) => pending.Writer.TryWrite(entry);

    /// <summary>One indexed video: its VPDQ signal and the record's sharing group.</summary>
    private readonly record struct IndexedVideo(NormalizedSignal Video, string Group);
}
