using System.Threading.Channels;
using Federation.Core.Feed;
using Federation.Core.Signals;
using Federation.Hub.Feed;
using Federation.Hub.Health;
using Federation.Hub.Storage;

namespace Federation.Hub.Taxii;

/// <summary>
/// This replica's ordering of the TAXII collections: every stored record (all states: a retracted record is served as
/// a revoked indicator) at its current version, sorted by (date added, object id), one order per collection, plus
/// the definition objects at the head of each. Loaded from Redis at start, kept current from the feed tail like the
/// PDQ index. Only the ordering lives here, in a <see cref="CatalogIndex"/> (no object per record); pages read the
/// records themselves from Redis.
/// </summary>
/// <remarks>
/// Date added of a record's current version (docs/taxii.md, "Date added"): the id time of the feed entry that made that
/// version (Redis' clock, ms), the same on every replica; for a version whose entry has left the retained feed, the
/// record's first seen. A new version therefore sorts after everything served so far, and a client paging by date
/// added or with <c>next</c> meets every version once. Consistency at start as in <see cref="Pdq.PdqMatchIndex"/>: the
/// observer is registered before the feed range and the record scan are read, and buffered entries are applied after.
/// </remarks>
public sealed class TaxiiCatalog(FeedTail tail, FeedLog feed, SignalStore store, StartupWalks walks, ILogger<TaxiiCatalog> logger) : BackgroundService
{
    /// <summary>Date added of the definition objects (identity, extension definition): before any record.</summary>
    public static readonly DateTimeOffset DefinitionsDate = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int FeedPage = 10_000;

    private readonly Channel<FeedEntry> pending = Channel.CreateUnbounded<FeedEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    private readonly CatalogIndex index = new();
    /// <summary>The coalition's identity, first in every collection.</summary>
    public static readonly CatalogEntry Identity = Definition(StixIds.CoalitionIdentity);

    /// <summary>The extension definition of Federation signals, second in every collection.</summary>
    public static readonly CatalogEntry Extension = Definition(StixIds.SignalExtension);

    private static readonly CatalogEntry[] Definitions = Identity.Position < Extension.Position ? [Identity, Extension] : [Extension, Identity];

    private readonly AppliedFeedPositions watermark = new();
    private volatile bool loaded;
    private long scanned;

    /// <summary>True once the start-up load is complete.</summary>
    public bool IsLoaded => loaded;

    /// <summary>Records in the catalog (all collections).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return index.Count;
            }
        }
    }

    /// <summary>Sizes of the catalog's structure (docs/taxii.md, "The catalog").</summary>
    public CatalogIndexStats Stats()
    {
        lock (gate)
        {
            return index.Stats();
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> entries of <paramref name="group"/>'s collection strictly after
    /// <paramref name="after"/> and added before <paramref name="horizon"/> (Unix ms, exclusive), in order, optionally
    /// the definition objects <paramref name="definitions"/> accepts (null: none) and records when <paramref name="records"/>,
    /// optionally only the ids in <paramref name="ids"/>.
    /// </summary>
    public CatalogPage Page(string group, CatalogPosition after, long horizon, int limit, Func<CatalogEntry, bool>? definitions, bool records, IReadOnlySet<Guid>? ids)
    {
        var result = new List<CatalogEntry>(Math.Min(limit, 1024));
        var more = false;
        bool Take(CatalogEntry entry)
        {
            if (entry.DateAdded >= horizon)
            {
                return false;
            }

            if (result.Count == limit)
            {
                more = true;
                return false;
            }

            result.Add(entry);
            return true;
        }

        if (definitions is not null)
        {
            foreach (var entry in Definitions)
            {
                if (entry.Position > after && definitions(entry) && (ids is null || ids.Contains(entry.Id)) && !Take(entry))
                {
                    return new CatalogPage(result, more);
                }
            }
        }

        if (!records)
        {
            return new CatalogPage(result, more);
        }

        lock (gate)
        {
            more = index.Page(group, after, horizon, limit, ids, result);
        }

        return new CatalogPage(result, more);
    }

    /// <summary>The current entry of an object of <paramref name="group"/>'s collection, or null.</summary>
    public CatalogEntry? Find(string group, Guid id)
    {
        foreach (var definition in Definitions)
        {
            if (definition.Id == id)
            {
                return definition;
            }
        }

        lock (gate)
        {
            return index.Find(group, id);
        }
    }

    /// <summary>
    /// Waits until the catalog has applied every feed entry up to <paramref name="heads"/> (read from Redis by the
    /// caller), so a page reflects every change Redis held when it started.
    /// </summary>
    /// <exception cref="TaxiiCatalogLoadingException">Still loading, or not caught up within <paramref name="timeout"/>.</exception>
    public async Task WaitForAsync(IReadOnlyList<FeedPosition> heads, TimeSpan timeout, CancellationToken ct)
    {
        if (!loaded)
        {
            throw new TaxiiCatalogLoadingException($"The TAXII catalog of this replica is loading ({Interlocked.Read(ref scanned)} records so far); retry in a moment.");
        }

        try
        {
            await watermark.WaitAsync(heads, timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TaxiiCatalogLoadingException($"The TAXII catalog of this replica is more than {timeout.TotalSeconds:0.#} s behind the feed; retry in a moment.");
        }
    }

    /// <summary>Drops an entry whose record is gone from Redis (a purged tombstone: purging writes no feed entry).</summary>
    public void Forget(CatalogEntry entry)
    {
        lock (gate)
        {
            // The id names the group too (StixIds.Indicator), so id, version and date name the entry.
            index.Forget(entry.Id, entry.Version, entry.DateAdded);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = await tail.ObserveAsync(Observe, stoppingToken).ConfigureAwait(false);
        var upTo = observation.StartedAfter.ToArray();
        // After the PDQ index's walk (StartupWalks): the feed entries meanwhile wait in the observation.
        await walks.WaitForReadinessWalkAsync(stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Loading the TAXII catalog from Redis ({Partitions} partitions)", store.PartitionCount);
        for (var p = 0; p < store.PartitionCount; p++)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await LoadPartitionAsync(p, upTo[p], stoppingToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("TAXII catalog: loading partition {Partition} failed ({Message}); retrying (attempt {Attempt})", p, e.Message, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), stoppingToken).ConfigureAwait(false);
                }
            }
        }

        lock (gate)
        {
            watermark.Start(upTo);
            // Entries of writes during the load first (a record scanned at a version written after the observation
            // started gets that version's date here), then clients.
            ApplyPending();
            // The scan met records in no order: sort them in now rather than in the first page's request.
            index.Settle();
        }

        loaded = true;
        logger.LogInformation("TAXII catalog loaded: {Count} records", Count);
        while (await pending.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            lock (gate)
            {
                ApplyPending();
            }

            watermark.Publish();
        }
    }

    // Under the gate.
    private void ApplyPending()
    {
        while (pending.Reader.TryRead(out var entry))
        {
            Apply(entry.Partition, entry.StorageKey, entry.Version, (long)entry.Id.Milliseconds);
            watermark.Advance(entry.Partition, entry.Id);
        }
    }

    // The retained feed up to the observation's start gives each version's date; the scan gives every record (records
    // written after the observation started are fixed up by the buffered entries, which carry higher versions).
    private async Task LoadPartitionAsync(int partition, FeedPosition upTo, CancellationToken ct)
    {
        var dated = new Dictionary<Guid, (long Version, long Date)>();
        var after = FeedPosition.Zero;
        while (after < upTo)
        {
            ct.ThrowIfCancellationRequested();
            var entries = await feed.RangeAsync(partition, after, upTo, FeedPage).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                break;
            }

            foreach (var entry in entries)
            {
                var (signal, group) = SignalStorageKey.Parse(entry.StorageKey);
                dated[StixIds.Indicator(signal, group)] = (entry.Version, (long)entry.Id.Milliseconds);
            }

            after = entries[^1].Id;
        }

        var key = new byte[SignalRules.MaxKeyLength];
        await foreach (var record in store.ScanAllAsync(partition, ct).ConfigureAwait(false))
        {
            var id = StixIds.Indicator(record.Signal, record.SharingGroup);
            var date = dated.TryGetValue(id, out var d) && d.Version == record.Version ? d.Date : record.FirstSeen.ToUnixTimeMilliseconds();
            var length = record.Signal.WriteKey(key);
            lock (gate)
            {
                index.Set(id, record.SharingGroup, date, record.Version, partition, key.AsSpan(0, length));
            }

            Interlocked.Increment(ref scanned);
        }
    }

    // Runs on the feed tail's thread: hand over, never block.
    private void Observe(FeedEntry entry) => pending.Writer.TryWrite(entry);

    // Under the gate.
    private void Apply(int partition, byte[] storageKey, long version, long date)
    {
        var (signal, group) = SignalStorageKey.Parse(storageKey);
        var id = StixIds.Indicator(signal, group);
        if (index.TryGet(id, out var currentVersion, out var currentDate) && (currentVersion > version || (currentVersion == version && currentDate == date)))
        {
            return; // a later version is already in (its own entry follows), or this one with this date
        }

        index.Set(id, group, date, version, partition, storageKey.AsSpan(0, signal.KeyLength));
    }

    private static CatalogEntry Definition(string stixId) =>
        new(Guid.Parse(stixId.AsSpan(stixId.IndexOf("--", StringComparison.Ordinal) + 2)), DefinitionsDate.ToUnixTimeMilliseconds(), 1, -1, [], "");
}
