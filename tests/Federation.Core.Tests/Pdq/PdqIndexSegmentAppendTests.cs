using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

/// <summary>
/// <see cref="PdqIndexSegment{TId}.Append"/>: a segment extended without a rebuild answers exactly like
/// brute force over its old slots (dead ones skipped) followed by the live new entries.
/// </summary>
public sealed class PdqIndexSegmentAppendTests
{
    public static TheoryData<int> Thresholds => [0, 1, 10, 11, 21, 22, 31, 32, 43, 44, 64];

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Appending_a_segment_and_a_delta_keeps_old_slots_and_matches_brute_force(int threshold)
    {
        var random = new Random(300 + threshold);
        var query = PdqTestData.RandomHash(random);
        var baseHashes = Hashes(random, query, 3000, threshold);
        var recentHashes = Hashes(random, query, 400, threshold);
        var deltaHashes = Hashes(random, query, 100, threshold);
        deltaHashes.Add(baseHashes[5]); // the same hash in both: both reported

        var main = Build(baseHashes, 0);
        var recent = Build(recentHashes, 10_000);
        var delta = Delta(deltaHashes, 20_000);
        var mainDeadSlots = new[] { 0, 7, 1500, 2999 };
        foreach (var slot in mainDeadSlots)
        {
            Assert.True(main.TryRemove(baseHashes[slot], slot, EqualityComparer<int>.Default));
        }

        Assert.True(recent.TryRemove(recentHashes[3], 10_003, EqualityComparer<int>.Default));
        Assert.True(delta.TryRemove(deltaHashes[^1], 20_000 + deltaHashes.Count - 1, EqualityComparer<int>.Default));
        Assert.True(main.CanAppendTo(3000 + 399 + 100));

        var appended = main.Append(main.SnapshotDead(), [(recent, recent.SnapshotDead())], delta, delta.SnapshotDead());

        // Expected slots: the old ones unchanged, then the live recent entries, then the live delta ones.
        var all = baseHashes.Select((h, i) => (Hash: h, Id: i, Live: !mainDeadSlots.Contains(i))).ToList();
        all.AddRange(recentHashes.Select((h, i) => (Hash: h, Id: 10_000 + i, Live: i != 3)).Where(e => e.Live));
        all.AddRange(deltaHashes.Select((h, i) => (Hash: h, Id: 20_000 + i, Live: i != deltaHashes.Count - 1)).Where(e => e.Live));
        Assert.Equal(all.Count, appended.Count);
        Assert.Equal(mainDeadSlots.Length, appended.DeadCount);
        for (var slot = 0; slot < all.Count; slot += 97)
        {
            Assert.Equal(all[slot].Id, appended.GetId(slot));
        }

        foreach (var q in new[] { query, PdqTestData.Near(query, 4, random), baseHashes[5], PdqTestData.RandomHash(random) })
        {
            var expected = all.Select((e, slot) => (Distance: e.Hash.Distance(q), Slot: slot, e.Live))
                .Where(m => m.Live && m.Distance <= threshold)
                .Select(m => (m.Distance, m.Slot))
                .OrderBy(m => m.Distance).ThenBy(m => m.Slot)
                .ToList();
            Assert.Equal(expected, Query(appended, q, threshold));
        }
    }

    [Fact]
    public void Entries_of_an_appended_segment_can_be_removed_old_and_new_and_dead_ones_stay_dead()
    {
        var random = new Random(31);
        var query = PdqTestData.RandomHash(random);
        var baseHashes = Hashes(random, query, 1900, 31); // 9 directory bits up to 2,048
        var main = Build(baseHashes, 0);
        var unknown = PdqTestData.RandomHash(random);
        var extra = Hashes(random, query, 50, 31);
        var delta = Delta(extra, 5000);
        Assert.True(main.TryRemove(baseHashes[10], 10, EqualityComparer<int>.Default));

        var appended = main.Append(main.SnapshotDead(), [], delta, delta.SnapshotDead());

        Assert.False(appended.TryRemove(baseHashes[10], 10, EqualityComparer<int>.Default)); // dead before the append
        Assert.True(appended.TryRemove(baseHashes[11], 11, EqualityComparer<int>.Default));
        Assert.True(appended.TryRemove(extra[49], 5049, EqualityComparer<int>.Default));
        Assert.False(appended.TryRemove(extra[49], 5049, EqualityComparer<int>.Default));
        Assert.False(appended.TryRemove(unknown, 5049, EqualityComparer<int>.Default));
        Assert.Equal(3, appended.DeadCount);
        Assert.DoesNotContain(Query(appended, extra[49], 0), m => m.Slot == 1949);
        Assert.DoesNotContain(Query(appended, baseHashes[11], 0), m => m.Slot == 11);
    }

    [Fact]
    public void A_count_that_needs_a_larger_directory_cannot_be_appended()
    {
        var random = new Random(32);
        var main = Build(Hashes(random, PdqTestData.RandomHash(random), 4000, 31), 0); // 10 directory bits up to 4,096

        Assert.True(main.CanAppendTo(4096));
        Assert.False(main.CanAppendTo(4097));
        Assert.False(PdqIndexSegment<int>.Empty.CanAppendTo(10));
    }

    // Planted neighbours at and around the threshold, spread over the chunks, among random hashes.
    private static List<PdqHash> Hashes(Random random, PdqHash query, int count, int threshold)
    {
        var hashes = new List<PdqHash>(count);
        for (var i = 0; i < count; i++)
        {
            var distance = Math.Clamp(threshold - 1 + (i % 3), 0, 44);
            hashes.Add(i % 4 == 0 ? PdqTestData.SpreadOverElevenChunks(query, distance, i % 11)
                : i % 4 == 1 ? PdqTestData.Near(query, distance, random)
                : PdqTestData.RandomHash(random));
        }

        return hashes;
    }

    private static PdqIndexDelta<int> Delta(List<PdqHash> hashes, int firstId)
    {
        var delta = new PdqIndexDelta<int>(hashes.Count);
        for (var i = 0; i < hashes.Count; i++)
        {
            delta.Add(hashes[i], firstId + i);
        }

        return delta;
    }

    private static PdqIndexSegment<int> Build(List<PdqHash> hashes, int firstId)
    {
        var delta = Delta(hashes, firstId);
        return PdqIndexSegment<int>.Build([], delta, delta.SnapshotDead());
    }

    private static List<(int Distance, int Slot)> Query(PdqIndexSegment<int> segment, PdqHash query, int threshold)
    {
        var scratch = PdqQueryScratch.Current;
        scratch.Reset();
        segment.Query(query, threshold, 0, scratch);
        return [.. scratch.Matches.ToArray().Select(m => (Distance: (int)(m >> 32), Slot: (int)(uint)m)).OrderBy(m => m.Distance).ThenBy(m => m.Slot)];
    }
}
