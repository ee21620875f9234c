using System.Diagnostics;
using System.Globalization;
using Federation.Hub.Taxii;

namespace Federation.Bench;

/// <summary>
/// <c>taxii-memory [--entries N] [--updates U] [--compact-first]</c>: managed heap per TAXII catalog entry, the hub's
/// <see cref="CatalogIndex"/> against the structure it replaced (<see cref="LegacyCatalog"/>, kept here as the baseline),
/// both loaded with the same N synthetic SHA-256 records (feed-like dates: increasing with stragglers) and then U new
/// versions, in one process. Bytes = <c>GC.GetTotalMemory(true)</c> after − before; also the pause of a forced full
/// blocking collection with the structure alive (what every gen2 collection of a hub pays for it). No Redis, no hub.
/// </summary>
internal static class TaxiiCatalogMemory
{
    private const int KeyLength = 33;

    public static int Run(string[] args)
    {
        var entries = int.Parse(BenchPaths.Option(args, "--entries") ?? "1000000", CultureInfo.InvariantCulture);
        var updates = int.Parse(BenchPaths.Option(args, "--updates") ?? (entries / 10).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var random = new Random(42);
        var ids = new Guid[entries];
        var dates = new long[entries];
        var signalKeys = new byte[entries * KeyLength];
        random.NextBytes(signalKeys);
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < entries; i++)
        {
            random.NextBytes(bytes);
            ids[i] = new Guid(bytes);
            dates[i] = 1_764_000_000_000 + i - (random.Next(10) == 0 ? random.Next(200) : 0);
            signalKeys[i * KeyLength] = 4; // SHA-256
        }

        var updated = Enumerable.Range(0, updates).Select(_ => random.Next(entries)).ToArray();
        Console.WriteLine($"TAXII catalog memory: {entries:N0} entries (coalition-wide SHA-256 records), then {updates:N0} new versions; GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        Console.WriteLine("| structure | after load: B/entry | after updates: B/entry | load ms | full GC pause ms (median of 5) |");
        Console.WriteLine("|---|---|---|---|---|");
        // --compact-first: the same two measurements the other way round (does the first one's garbage leak into the second's?).
        if (args.Contains("--compact-first"))
        {
            Measure("after: CatalogIndex", () => new CompactCatalog(), ids, dates, signalKeys, updated);
        }

        Measure("before: Dictionary + SortedSet of CatalogEntry", () => new LegacyCatalog(), ids, dates, signalKeys, updated);
        if (!args.Contains("--compact-first"))
        {
            Measure("after: CatalogIndex", () => new CompactCatalog(), ids, dates, signalKeys, updated);
        }
        return 0;
    }

    private static void Measure(string name, Func<ICatalog> create, Guid[] ids, long[] dates, byte[] signalKeys, int[] updated)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var catalog = create();
        for (var i = 0; i < ids.Length; i++)
        {
            catalog.Set(ids[i], dates[i], 1, i % 16, signalKeys.AsSpan(i * KeyLength, KeyLength));
        }

        catalog.Settle();
        var loadMs = clock.Elapsed.TotalMilliseconds;
        var loaded = GC.GetTotalMemory(forceFullCollection: true);
        var loadedShape = catalog.Describe();
        var date = dates[^1];
        var version = 1L;
        foreach (var i in updated)
        {
            catalog.Set(ids[i], ++date, ++version, i % 16, signalKeys.AsSpan(i * KeyLength, KeyLength));
        }

        catalog.Settle();
        var afterUpdates = GC.GetTotalMemory(forceFullCollection: true);
        var pauses = new double[5];
        for (var k = 0; k < pauses.Length; k++)
        {
            var paused = GC.GetTotalPauseDuration();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            pauses[k] = (GC.GetTotalPauseDuration() - paused).TotalMilliseconds;
        }

        Array.Sort(pauses);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {(double)(loaded - before) / ids.Length:0.0} | {(double)(afterUpdates - before) / ids.Length:0.0} | {loadMs:0} | {pauses[2]:0.0} |"));
        Console.WriteLine($"|   after load: {loadedShape}; after updates: {catalog.Describe()} | | | | |");
        GC.KeepAlive(catalog);
    }

    private interface ICatalog
    {
        void Set(Guid id, long date, long version, int partition, ReadOnlySpan<byte> signalKey);

        void Settle();

        string Describe();
    }

    private sealed class CompactCatalog : ICatalog
    {
        private readonly CatalogIndex index = new();

        public void Set(Guid id, long date, long version, int partition, ReadOnlySpan<byte> signalKey) => index.Set(id, "", date, version, partition, signalKey);

        // Merges what is pending, as the catalog does at the end of its load.
        public void Settle() => index.Settle();

        public string Describe()
        {
            var stats = index.Stats();
            return string.Create(CultureInfo.InvariantCulture,
                $"arrays {stats.ArrayBytes / (double)stats.Records:0.0} B/record ({stats.SlotChunks} slot + {stats.KeyChunks} key chunks, {stats.DeadHandles:N0} dead, {stats.Merges} merges, {stats.Compactions} compactions)");
        }
    }

    /// <summary>The catalog's structure until branch <c>taxiicat</c>: one <see cref="CatalogEntry"/> per record in a dictionary and a sorted set per group.</summary>
    private sealed class LegacyCatalog : ICatalog
    {
        private static readonly Comparer<CatalogEntry> Order = Comparer<CatalogEntry>.Create((a, b) => a.Position.CompareTo(b.Position));
        private readonly Dictionary<Guid, CatalogEntry> byId = [];
        private readonly Dictionary<string, SortedSet<CatalogEntry>> byGroup = new(StringComparer.Ordinal);

        public void Set(Guid id, long date, long version, int partition, ReadOnlySpan<byte> signalKey)
        {
            var entry = new CatalogEntry(id, date, version, partition, signalKey.ToArray(), "");
            if (byId.TryGetValue(id, out var current))
            {
                if (current.Version > version)
                {
                    return;
                }

                byGroup[current.Group].Remove(current);
            }

            byId[id] = entry;
            if (!byGroup.TryGetValue(entry.Group, out var set))
            {
                byGroup[entry.Group] = set = new SortedSet<CatalogEntry>(Order);
            }

            set.Add(entry);
        }

        public void Settle()
        {
        }

        public string Describe() => $"{byId.Count:N0} CatalogEntry objects, each with a byte[] and a tree node";
    }
}
