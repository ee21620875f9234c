using System.Threading.Channels;
using Federation.Core.Feed;
using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Hub.Feed;
using Federation.Hub.Health;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;

namespace Federation.Hub.Pdq;

/// <summary>
/// This replica's in-memory PDQ near-match index: every ACTIVE PDQ record (hash + sharing group), loaded
/// from Redis at start and kept current from the feed tail, with recall equal to brute force
/// (<see cref="PdqIndex{TId}"/>). Look-ups get candidates from memory, then read the records from Redis,
/// so a candidate that became inactive a moment ago is still filtered out there.
/// </summary>
/// <remarks>
/// Consistency at start: the feed observer is registered <em>before</em> the Redis scan, and every entry
/// it receives is applied after the scan, in stream order. Each entry states the record's activity after
/// its change (kinds 1-4 active, 5-6 inactive), so replaying them over the scan converges to the current
/// state whatever the scan saw. One task applies scan and entries, so the index has a single writer.
/// </remarks>
public sealed class PdqMatchIndex(FeedTail tail, SignalStore store, StartupWalks walks, ILogger<PdqMatchIndex> logger, HubMetrics metrics) : BackgroundService, IPdqMatcher
{
    // The id carries the hash (matches report ids, not hashes) and the record's sharing group ("" = coalition-wide).
    private readonly PdqIndex<IndexedPdq> index = Observed(new PdqIndex<IndexedPdq>(capacity: 1 << 16), metrics);
    private readonly Channel<FeedEntry> pending = Channel.CreateUnbounded<FeedEntry>(new UnboundedChannelOptions { SingleReader = true });
    // Once loaded, two writers: the feed consumer and Remember (Submit's read-your-writes). The index takes one writer
    // at a time, and Contains-then-Add must not interleave.
    private readonly Lock writer = new();
    private volatile bool loaded;
    private long scanned;
    // The last feed entry applied per partition (every entry passes through, PDQ or not, so positions advance in
    // stream order), and a signal completed whenever they advance, for look-ups waiting on a consistency token.
    private readonly AppliedFeedPositions watermark = new();

    /// <summary>True once the start-up scan is complete; until then PDQ look-ups are refused as UNAVAILABLE.</summary>
    public bool IsLoaded => loaded;

    /// <summary>Records scanned so far during start-up.</summary>
    public long Scanned => Interlocked.Read(ref scanned);

    /// <summary>Hash + group pairs currently indexed.</summary>
    public int Count => index.Count;

    public IReadOnlyList<PdqCandidate> FindCandidates(in NormalizedSignal query, int maxDistance, int maxMatches, IReadOnlyList<string> callerGroups)
    {
        if (!loaded)
        {
            throw new PdqIndexLoadingException(Scanned);
        }

        var matches = new List<PdqMatch<IndexedPdq>>();
        index.Query(PdqHash.FromBytes(query.RawBytes), maxDistance, int.MaxValue, matches);
        // Matches come nearest first; keep the visible ones, each hash once (several groups may hold it).
        var candidates = new List<PdqCandidate>(Math.Min(matches.Count, maxMatches));
        var seen = new HashSet<NormalizedSignal>();
        Span<byte> raw = stackalloc byte[PdqHash.ByteLength];
        foreach (var match in matches)
        {
            if (candidates.Count == maxMatches)
            {
                break;
            }

            var (hash, group) = match.Id;
            if (group.Length > 0 && !callerGroups.Contains(group, StringComparer.Ordinal))
            {
                continue;
            }

            hash.WriteBytes(raw);
            var signal = NormalizedSignal.FromRaw(SignalKind.Pdq, raw);
            if (seen.Add(signal))
            {
                candidates.Add(new PdqCandidate(signal, match.Distance));
            }
        }

        return candidates;
    }

    private static PdqIndex<IndexedPdq> Observed(PdqIndex<IndexedPdq> index, HubMetrics metrics)
    {
        index.MergeCompleted = metrics.PdqMerged;
        metrics.ObservePdqIndex(() => index.Count);
        return index;
    }

    public async Task WaitForAsync(IReadOnlyList<FeedPosition> positions, TimeSpan timeout, CancellationToken ct)
    {
        if (!loaded)
        {
            throw new PdqIndexLoadingException(Scanned);
        }

        try
        {
            await watermark.WaitAsync(positions, timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new PdqIndexBehindException(timeout);
        }
    }

    public void Remember(in NormalizedSignal signal, string group)
    {
        // Until the load ends, look-ups are refused and the scan (registered before it) will see the record anyway.
        if (loaded)
        {
            lock (writer)
            {
                Apply(signal, group, active: true);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadAndFollowAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            walks.EndReadinessWalk();
        }
    }

    private async Task LoadAndFollowAsync(CancellationToken stoppingToken)
    {
        using var observation = await tail.ObserveAsync(Observe, stoppingToken).ConfigureAwait(false);
        // The scan below covers every write before the observation started; the entries after it are applied in order.
        watermark.Start(observation.StartedAfter);
        logger.LogInformation("Loading the PDQ index from Redis ({Partitions} partitions)", store.PartitionCount);
        for (var p = 0; p < store.PartitionCount; p++)
        {
            // A store failure during the scan (Redis restarting or still LOADING) must not fault this service, which
            // would stop the host: scan the partition again once Redis answers (Apply is idempotent).
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ScanPartitionAsync(p, stoppingToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("PDQ index: scanning partition {Partition} failed ({Message}); retrying (attempt {Attempt})", p, e.Message, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), stoppingToken).ConfigureAwait(false);
                }
            }
        }

        // Entries that arrived during the scan are applied first, then live ones as they come.
        loaded = true;
        logger.LogInformation("PDQ index loaded: {Count} PDQ hashes from {Scanned} records", index.Count, Scanned);
        walks.EndReadinessWalk();
        while (await pending.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            lock (writer)
            {
                // Drain what is there under one lock, then wake the waiters once.
                while (pending.Reader.TryRead(out var entry))
                {
                    if (entry.StorageKey.Length > 0 && entry.StorageKey[0] == (byte)SignalKind.Pdq)
                    {
                        var (signal, group) = SignalStorageKey.Parse(entry.StorageKey);
                        Apply(signal, group, active: !FeedKinds.EndsRecord(entry.Kind));
                    }

                    watermark.Advance(entry.Partition, entry.Id);
                }
            }

            watermark.Publish();
        }
    }

    private async Task ScanPartitionAsync(int partition, CancellationToken stoppingToken)
    {
        // Only the PDQ records cross the wire (filtered inside Redis): the index load no longer reads every record of every type.
        await foreach (var record in store.ScanActiveAsync(partition, stoppingToken, SignalKind.Pdq).ConfigureAwait(false))
        {
            if (record.Signal.Kind == SignalKind.Pdq)
            {
                Apply(record.Signal, record.SharingGroup, active: true);
            }

            if (Interlocked.Increment(ref scanned) % 100_000 == 0)
            {
                logger.LogInformation("PDQ index: {Scanned} records scanned, {Count} PDQ hashes indexed", Scanned, index.Count);
            }
        }
    }

    public override void Dispose()
    {
        index.Dispose();
        base.Dispose();
    }

    // Runs on the feed tail's thread: only hand the entry over, never block it. Every entry, not only PDQ ones, so
    // the applied positions advance for consistency tokens.
    private void Observe(FeedEntry entry) => pending.Writer.TryWrite(entry);

    private void Apply(in NormalizedSignal signal, string group, bool active)
    {
        var id = new IndexedPdq(PdqHash.FromBytes(signal.RawBytes), group);
        var present = Contains(id);
        if (active && !present)
        {
            index.Add(id.Hash, id);
        }
        else if (!active && present)
        {
            index.Remove(id.Hash, id);
        }
    }

    private bool Contains(IndexedPdq id)
    {
        foreach (var match in index.Query(id.Hash, 0))
        {
            if (match.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the index holds per entry: the hash and the record's sharing group.</summary>
    private readonly record struct IndexedPdq(PdqHash Hash, string Group);
}
