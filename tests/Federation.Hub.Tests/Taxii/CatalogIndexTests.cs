using System.Text;
using Federation.Hub.Taxii;

namespace Federation.Hub.Tests.Taxii;

/// <summary>
/// The compact TAXII catalog structure (<see cref="CatalogIndex"/>) against a plain model: order, versions, removal,
/// merges of out-of-order entries, compaction, paging across both, many collections, and its size.
/// </summary>
public sealed class CatalogIndexTests
{
    private const long NoHorizon = long.MaxValue;

    [Fact]
    public void Out_of_order_inserts_page_in_date_then_id_order()
    {
        var index = new CatalogIndex(mergeThreshold: 8, compactionMinimum: 4);
        var random = new Random(1);
        var ids = Enumerable.Range(0, 500).Select(_ => NewId(random)).ToArray();
        // Mostly increasing dates with stragglers and ties, like feed entries of several partitions.
        var dates = Enumerable.Range(0, ids.Length).Select(i => 1_000L + i - (random.Next(10) == 0 ? random.Next(300) : 0)).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(index.Set(ids[i], "", dates[i], 1, 3, Key(i)));
        }

        var expected = ids.Select((id, i) => new CatalogPosition(dates[i], id)).Order().ToList();
        Assert.Equal(expected, All(index, "").Select(e => e.Position).ToList());
        Assert.True(index.Stats().Merges > 0);
    }

    [Fact]
    public void A_new_version_moves_the_entry_and_an_older_one_is_refused()
    {
        var index = new CatalogIndex();
        var random = new Random(2);
        var (a, b, c) = (NewId(random), NewId(random), NewId(random));
        index.Set(a, "", 10, 1, 0, Key(1));
        index.Set(b, "", 20, 1, 0, Key(2));
        index.Set(c, "", 30, 1, 0, Key(3));

        Assert.True(index.Set(a, "", 40, 2, 0, Key(1)));
        Assert.False(index.Set(a, "", 50, 1, 0, Key(1)));

        Assert.Equal([b, c, a], All(index, "").Select(e => e.Id).ToArray());
        Assert.True(index.TryGet(a, out var version, out var date));
        Assert.Equal((2L, 40L), (version, date));
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public void Two_versions_in_one_millisecond_leave_one_entry()
    {
        var index = new CatalogIndex(mergeThreshold: 1, compactionMinimum: 1);
        var id = NewId(new Random(3));
        index.Set(id, "", 10, 1, 0, Key(1));
        index.Set(id, "", 10, 2, 0, Key(1));
        index.Set(id, "", 10, 3, 0, Key(1));

        var entry = Assert.Single(All(index, ""));
        Assert.Equal(3, entry.Version);
    }

    [Fact]
    public void Forget_removes_only_the_version_it_names()
    {
        var index = new CatalogIndex();
        var random = new Random(4);
        var (a, b) = (NewId(random), NewId(random));
        index.Set(a, "", 10, 1, 0, Key(1));
        index.Set(b, "", 20, 1, 0, Key(2));

        Assert.False(index.Forget(a, 2, 10));
        Assert.False(index.Forget(a, 1, 11));
        Assert.True(index.Forget(a, 1, 10));

        Assert.Equal([b], All(index, "").Select(e => e.Id).ToArray());
        Assert.Null(index.Find("", a));
        Assert.False(index.TryGet(a, out _, out _));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Entries_carry_the_storage_key_partition_and_group()
    {
        var index = new CatalogIndex();
        var id = NewId(new Random(5));
        var signalKey = Key(7);
        index.Set(id, "fin", 10, 4, 9, signalKey);

        var entry = index.Find("fin", id);

        Assert.NotNull(entry);
        Assert.Equal([.. signalKey, .. Encoding.UTF8.GetBytes("fin")], entry.StorageKey);
        Assert.Equal((9, "fin", 4L, 10L), (entry.Partition, entry.Group, entry.Version, entry.DateAdded));
        Assert.Null(index.Find("", id));
    }

    [Fact]
    public void Dead_entries_are_compacted_away_and_their_slots_reused()
    {
        var index = new CatalogIndex(mergeThreshold: 16, compactionMinimum: 16);
        var random = new Random(6);
        var ids = Enumerable.Range(0, 200).Select(_ => NewId(random)).ToArray();
        var date = 0L;
        foreach (var id in ids)
        {
            index.Set(id, "", ++date, 1, 0, Key(0));
        }

        var chunks = index.Stats().SlotChunks;
        for (var round = 2; round <= 20; round++)
        {
            foreach (var id in ids)
            {
                index.Set(id, "", ++date, round, 0, Key(0));
            }
        }

        var stats = index.Stats();
        Assert.True(stats.Compactions > 0);
        Assert.True(stats.DeadHandles * 4 <= stats.OrderedHandles);
        Assert.Equal(chunks, stats.SlotChunks);
        Assert.Equal(ids.Length, All(index, "").Count);
        Assert.All(All(index, ""), e => Assert.Equal(20, e.Version));
    }

    [Fact]
    public void Paging_with_positions_survives_merges_and_compactions_between_pages()
    {
        var index = new CatalogIndex(mergeThreshold: 4, compactionMinimum: 8);
        var random = new Random(7);
        var ids = Enumerable.Range(0, 400).Select(_ => NewId(random)).ToArray();
        var versions = new Dictionary<Guid, long>();
        var date = 0L;
        foreach (var id in ids)
        {
            index.Set(id, "", date += 2, 1, 0, Key(0));
            versions[id] = 1;
        }

        // Page 25 at a time; between pages, re-version 20 random records (some behind the cursor, some ahead) with dates
        // slightly out of order, which forces merges and compactions during the walk.
        var seen = new List<(Guid Id, long Version)>();
        var after = CatalogPosition.Start;
        for (var pages = 0; pages < 1_000; pages++)
        {
            var page = new List<CatalogEntry>();
            var more = index.Page("", after, NoHorizon, 25, null, page);
            seen.AddRange(page.Select(e => (e.Id, e.Version)));
            if (!more)
            {
                break;
            }

            after = page[^1].Position;
            // Dates out of order within the round, all after everything held (as the settle delay guarantees).
            var roundStart = date + 10;
            for (var k = 0; k < 20; k++)
            {
                var id = ids[random.Next(ids.Length)];
                index.Set(id, "", roundStart + (2 * k) - random.Next(5), ++versions[id], 0, Key(0));
            }

            date = roundStart + 40;
        }

        var stats = index.Stats();
        Assert.True(stats.Compactions > 0);
        Assert.True(stats.Merges > 0);
        // Every record is met at its final version exactly once; no version is met twice; nothing is met out of order.
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(ids, id => Assert.Contains((id, versions[id]), seen));
        Assert.All(seen.GroupBy(s => s.Id), g => Assert.Equal(g.Select(s => s.Version).Order(), g.Select(s => s.Version)));
    }

    [Fact]
    public void Collections_hold_only_their_own_records()
    {
        var index = new CatalogIndex(mergeThreshold: 8, compactionMinimum: 8);
        var random = new Random(8);
        var groups = Enumerable.Range(0, 150).Select(g => g == 0 ? "" : $"group-{g}").ToArray();
        var model = new Dictionary<string, List<CatalogPosition>>();
        for (var i = 0; i < 6_000; i++)
        {
            var group = groups[random.Next(groups.Length)];
            var id = NewId(random);
            var date = i - random.Next(3);
            index.Set(id, group, date, 1, 0, Key(i));
            (model.TryGetValue(group, out var list) ? list : model[group] = []).Add(new CatalogPosition(date, id));
        }

        Assert.Equal(groups.Length, index.Stats().Collections);
        foreach (var (group, positions) in model)
        {
            var entries = All(index, group);
            Assert.Equal(positions.Order().ToList(), entries.Select(e => e.Position).ToList());
            Assert.All(entries, e => Assert.Equal(group, e.Group));
        }

        Assert.Empty(All(index, "nobody's group"));
    }

    [Fact]
    public void Horizon_limit_and_named_ids_cut_pages_as_before()
    {
        var index = new CatalogIndex();
        var random = new Random(9);
        var ids = Enumerable.Range(0, 10).Select(_ => NewId(random)).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            index.Set(ids[i], "", 100 + i, 1, 0, Key(i));
        }

        var page = new List<CatalogEntry>();
        Assert.True(index.Page("", CatalogPosition.Start, NoHorizon, 4, null, page));
        Assert.Equal(ids[..4], page.Select(e => e.Id));

        page.Clear();
        Assert.False(index.Page("", CatalogPosition.After(101), 105, 100, null, page));
        Assert.Equal(ids[2..5], page.Select(e => e.Id));

        page.Clear();
        var named = new HashSet<Guid> { ids[7], ids[1], ids[3], NewId(random) };
        Assert.True(index.Page("", CatalogPosition.After(101), NoHorizon, 1, named, page));
        Assert.Equal([ids[3]], page.Select(e => e.Id));
    }

    [Fact]
    public void Random_operations_agree_with_a_sorted_model()
    {
        var index = new CatalogIndex(mergeThreshold: 32, compactionMinimum: 16);
        var random = new Random(10);
        var ids = Enumerable.Range(0, 300).Select(_ => NewId(random)).ToArray();
        var groups = new[] { "", "a", "b" };
        var model = new Dictionary<Guid, (string Group, long Date, long Version)>();
        var clock = 0L;
        for (var step = 0; step < 20_000; step++)
        {
            var id = ids[random.Next(ids.Length)];
            clock++;
            if (random.Next(10) == 0 && model.TryGetValue(id, out var held))
            {
                Assert.True(index.Forget(id, held.Version, held.Date));
                model.Remove(id);
            }
            else
            {
                var group = groups[(id.GetHashCode() & 0x7fff_ffff) % groups.Length];
                var version = model.TryGetValue(id, out var current) ? current.Version + random.Next(-1, 3) : 1;
                var date = clock - random.Next(random.Next(20) == 0 ? 500 : 5);
                var accepted = index.Set(id, group, date, version, 0, Key(0));
                Assert.Equal(!model.ContainsKey(id) || version >= current.Version, accepted);
                if (accepted)
                {
                    model[id] = (group, date, version);
                }
            }

            if (step % 997 == 0)
            {
                AssertAgrees();
            }
        }

        AssertAgrees();

        void AssertAgrees()
        {
            Assert.Equal(model.Count, index.Count);
            foreach (var group in groups)
            {
                var expected = model.Where(m => m.Value.Group == group)
                    .Select(m => (new CatalogPosition(m.Value.Date, m.Key), m.Value.Version)).OrderBy(m => m.Item1).ToList();
                Assert.Equal(expected, All(index, group).Select(e => (e.Position, e.Version)).ToList());
            }
        }
    }

    [Fact]
    public void A_hundred_thousand_records_take_a_dozen_arrays_and_under_120_bytes_each()
    {
        var index = new CatalogIndex();
        var random = new Random(11);
        const int Records = 100_000;
        for (var i = 0; i < Records; i++)
        {
            // A SHA-256 signal key (type byte and 32 bytes), dates roughly in order as from the feed.
            index.Set(NewId(random), "", 1_000_000 + i - random.Next(3), 1, i % 16, Key(i));
        }

        index.Settle();
        var stats = index.Stats();

        // Objects do not grow with the records: 7 slot chunks, 4 key chunks, the order and the id table.
        Assert.True(stats.SlotChunks + stats.KeyChunks <= 12, $"{stats.SlotChunks} + {stats.KeyChunks} chunks");
        Assert.True(stats.ArrayBytes / Records < 120, $"{stats.ArrayBytes / Records} B per record");
    }

    [Fact]
    public void Id_table_finds_every_id_through_growth_and_backward_shift_deletion()
    {
        var slots = new CatalogSlots();
        var table = new CatalogIdTable(slots);
        var random = new Random(12);
        var held = new Dictionary<Guid, int>();
        var ids = new List<Guid>();
        for (var step = 0; step < 60_000; step++)
        {
            if (ids.Count > 0 && random.Next(3) == 0)
            {
                // Remove a random id (the slot still holds it, as the catalog guarantees), then free its slot.
                var at = random.Next(ids.Count);
                var id = ids[at];
                ids[at] = ids[^1];
                ids.RemoveAt(ids.Count - 1);
                Assert.True(table.Remove(id));
                slots.Free(held[id]);
                held.Remove(id);
            }
            else
            {
                var id = NewId(random);
                var handle = slots.Add(new CatalogSlot { Id = id });
                table.Set(id, handle);
                held[id] = handle;
                ids.Add(id);
            }
        }

        Assert.Equal(held.Count, table.Count);
        Assert.All(held, pair => Assert.True(table.TryGetValue(pair.Key, out var handle) && handle == pair.Value));
        Assert.False(table.TryGetValue(NewId(random), out _));
        Assert.True(table.Count * 10L <= table.Capacity * 7L);
    }

    private static List<CatalogEntry> All(CatalogIndex index, string group)
    {
        var page = new List<CatalogEntry>();
        index.Page(group, CatalogPosition.Start, NoHorizon, int.MaxValue, null, page);
        return page;
    }

    private static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    // A SHA-256-shaped signal key: type byte 4, then 32 bytes derived from n.
    private static byte[] Key(int n)
    {
        var key = new byte[33];
        key[0] = 4;
        BitConverter.TryWriteBytes(key.AsSpan(1), n);
        return key;
    }
}
