using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

/// <summary>The delta, frozen-delta and merge paths of <see cref="PdqIndex{TId}"/> against brute force.</summary>
public sealed class PdqIndexMergeTests
{
    public static TheoryData<int> Thresholds => [0, 8, 16, 17, 31, 47, 64];

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Interleaved_adds_removes_and_queries_with_frequent_merges_match_brute_force(int threshold)
    {
        var random = new Random(100 + threshold);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 16);
        var brute = new PdqBruteForce<int>();
        var live = new List<(PdqHash Hash, int Id)>();
        var origins = Enumerable.Range(0, 8).Select(_ => PdqTestData.RandomHash(random)).ToList();
        for (var id = 0; id < 1500; id++)
        {
            // Half near an origin (so queries have matches at every distance), half random; a tenth of
            // the time a duplicate of a live entry (same hash and id) to exercise removal of one copy.
            var hash = id % 10 == 9 && live.Count > 0 ? live[random.Next(live.Count)].Hash
                : id % 2 == 0 ? PdqTestData.Near(origins[random.Next(origins.Count)], random.Next(0, 40), random)
                : PdqTestData.RandomHash(random);
            var entryId = id % 10 == 9 && live.Count > 0 ? live[random.Next(live.Count)].Id : id;
            index.Add(hash, entryId);
            brute.Add(hash, entryId);
            live.Add((hash, entryId));
            if (id % 4 == 3)
            {
                var victim = random.Next(live.Count);
                var (h, i) = live[victim];
                live.RemoveAt(victim);
                Assert.Equal(brute.Remove(h, i), index.Remove(h, i));
            }

            if (id % 50 == 0)
            {
                AssertSameAnswers(index, brute, origins[random.Next(origins.Count)], threshold);
            }
        }

        Assert.Equal(brute.Count, index.Count);
        foreach (var origin in origins)
        {
            AssertSameAnswers(index, brute, origin, threshold);
        }

        index.WaitForMerges();
        Assert.True(index.DeltaCount < 64, $"delta still holds {index.DeltaCount} entries after merging");
        foreach (var origin in origins)
        {
            AssertSameAnswers(index, brute, origin, threshold);
        }
    }

    [Fact]
    public void Removals_and_additions_while_a_merge_is_building_are_kept()
    {
        var random = new Random(21);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 32);
        var brute = new PdqBruteForce<int>();
        var query = PdqTestData.RandomHash(random);
        var entries = Enumerable.Range(0, 31).Select(i => (Hash: PdqTestData.Near(query, i, random), Id: i)).ToList();
        foreach (var (hash, id) in entries)
        {
            index.Add(hash, id);
            brute.Add(hash, id);
        }

        var filler = PdqTestData.RandomHash(random);
        index.Add(filler, 999); // 32nd entry: a merge without hook
        brute.Add(filler, 999);
        index.WaitForMerges();
        Assert.Equal(0, index.DeltaCount);

        using var building = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        index.BeforeMergeBuild = () =>
        {
            building.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        // The same entry twice: once in the segment, once in the delta about to be frozen.
        index.Add(entries[0].Hash, entries[0].Id);
        brute.Add(entries[0].Hash, entries[0].Id);
        for (var i = 0; i < 31; i++)
        {
            var hash = PdqTestData.Near(query, random.Next(0, 40), random);
            index.Add(hash, 1000 + i); // the 32nd starts a merge, which blocks
            brute.Add(hash, 1000 + i);
        }

        Assert.True(building.Wait(TimeSpan.FromSeconds(30)));
        index.BeforeMergeBuild = null;

        // While the merge is stuck: queries see the frozen delta, removals hit it, adds go to a new delta.
        Assert.True(index.Remove(entries[0].Hash, entries[0].Id));
        Assert.True(brute.Remove(entries[0].Hash, entries[0].Id));
        Assert.True(index.Remove(entries[7].Hash, entries[7].Id));
        Assert.True(brute.Remove(entries[7].Hash, entries[7].Id));
        Assert.False(index.Remove(entries[7].Hash, entries[7].Id));
        var late = PdqTestData.Near(query, 3, random);
        index.Add(late, 2000);
        brute.Add(late, 2000);
        AssertSameAnswers(index, brute, query, 31);
        AssertSameAnswers(index, brute, query, 64);

        release.Set();
        index.WaitForMerges();

        Assert.Equal(brute.Count, index.Count);
        AssertSameAnswers(index, brute, query, 31);
        AssertSameAnswers(index, brute, query, 64);
        Assert.Single(index.Query(entries[0].Hash, 0), m => m.Id == entries[0].Id);
        Assert.True(index.Remove(entries[0].Hash, entries[0].Id));
        Assert.DoesNotContain(index.Query(entries[0].Hash, 0), m => m.Id == entries[0].Id);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    public void Live_adds_fill_the_recent_segment_then_fold_into_the_main_one_with_answers_equal_to_brute_force(int threshold)
    {
        var random = new Random(40 + threshold);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 64);
        var brute = new PdqBruteForce<int>();
        var query = PdqTestData.RandomHash(random);
        var bulk = Enumerable.Range(0, 4000).Select(i => i % 20 == 0 ? PdqTestData.Near(query, random.Next(0, 40), random) : PdqTestData.RandomHash(random)).ToArray();
        index.AddRange(bulk, Enumerable.Range(0, bulk.Length).ToArray());
        var live = bulk.Select((h, i) => (Hash: h, Id: i)).ToList();
        foreach (var (hash, id) in live)
        {
            brute.Add(hash, id);
        }

        // The recent segment's limit is sqrt(2 x 4,000 x 64) ≈ 715: a dozen delta merges, then a main one.
        var sawRecent = false;
        var sawFold = false;
        for (var i = 0; i < 3000; i++)
        {
            var hash = i % 3 == 0 ? PdqTestData.Near(query, random.Next(0, 40), random) : PdqTestData.RandomHash(random);
            index.Add(hash, 10_000 + i);
            brute.Add(hash, 10_000 + i);
            live.Add((hash, 10_000 + i));
            if (i % 7 == 6)
            {
                var victim = random.Next(live.Count);
                var (h, id) = live[victim];
                live.RemoveAt(victim);
                Assert.True(index.Remove(h, id));
                Assert.True(brute.Remove(h, id));
            }

            if (i % 64 == 63)
            {
                index.WaitForMerges();
                sawFold |= sawRecent && index.RecentCount == 0;
                sawRecent |= index.RecentCount > 0;
                AssertSameAnswers(index, brute, query, threshold);
            }
        }

        index.WaitForMerges();
        Assert.True(sawRecent, "no merge went to the recent segment");
        Assert.True(sawFold, "the recent segment was never folded into the main one");
        Assert.Equal(brute.Count, index.Count);
        AssertSameAnswers(index, brute, query, threshold);
        AssertSameAnswers(index, brute, query, 64);
    }

    [Fact]
    public void A_bulk_load_is_merged_before_AddRange_returns_and_removals_then_mark_entries_dead()
    {
        var random = new Random(22);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 64);
        var brute = new PdqBruteForce<int>();
        var query = PdqTestData.RandomHash(random);
        var hashes = Enumerable.Range(0, 5000)
            .Select(i => i % 5 == 0 ? PdqTestData.SpreadOverChunks(query, i % 40, i % 16) : PdqTestData.RandomHash(random))
            .ToArray();
        var ids = Enumerable.Range(0, hashes.Length).ToArray();
        index.AddRange(hashes, ids);
        for (var i = 0; i < hashes.Length; i++)
        {
            brute.Add(hashes[i], ids[i]);
        }

        Assert.True(index.DeltaCount < 64);
        for (var i = 0; i < hashes.Length; i += 3)
        {
            Assert.True(index.Remove(hashes[i], ids[i]));
            Assert.True(brute.Remove(hashes[i], ids[i]));
        }

        index.WaitForMerges(); // dead entries beyond an eighth of the segment are compacted away
        Assert.Equal(brute.Count, index.Count);
        foreach (var threshold in new[] { 0, 15, 16, 31, 32, 47, 48 })
        {
            AssertSameAnswers(index, brute, query, threshold);
        }
    }

    [Fact]
    public void Queries_on_an_empty_index_and_after_removing_everything_find_nothing()
    {
        var random = new Random(23);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 4);
        var query = PdqTestData.RandomHash(random);
        Assert.Empty(index.Query(query, 31));
        Assert.Empty(index.Query(query, 256));

        var hashes = Enumerable.Range(0, 20).Select(i => PdqTestData.Near(query, i, random)).ToArray();
        index.AddRange(hashes, Enumerable.Range(0, 20).ToArray());
        index.WaitForMerges();
        for (var i = 0; i < hashes.Length; i++)
        {
            Assert.True(index.Remove(hashes[i], i));
        }

        index.WaitForMerges();
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Query(query, 31));
        Assert.Empty(index.Query(query, 256));
    }

    [Fact]
    public async Task Concurrent_queries_during_frequent_background_merges_always_see_stable_entries()
    {
        var random = new Random(24);
        var stable = Enumerable.Range(0, 100).Select(_ => PdqTestData.RandomHash(random)).ToArray();
        var churn = Enumerable.Range(0, 4000).Select(_ => PdqTestData.RandomHash(random)).ToArray();
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 32);
        index.AddRange(stable, Enumerable.Range(0, stable.Length).ToArray());

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < churn.Length; i++)
            {
                index.Add(churn[i], 10_000 + i);
                if (i % 3 == 2)
                {
                    index.Remove(churn[i - 2], 10_000 + i - 2);
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var failures = 0;
            for (var round = 0; !writer.IsCompleted || round < 3; round++)
            {
                for (var i = 0; i < stable.Length; i++)
                {
                    var matches = index.Query(stable[i], round % 2 == 0 ? 31 : 16);
                    failures += matches.Count(m => m.Id == i && m.Distance == 0) == 1 ? 0 : 1;
                }
            }

            return failures;
        })).ToArray();

        await writer.WaitAsync(TimeSpan.FromMinutes(1));
        var failures = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(1));
        index.WaitForMerges();

        Assert.All(failures, f => Assert.Equal(0, f));
        Assert.Equal(stable.Length + churn.Length - (churn.Length / 3), index.Count);
        var survivors = Enumerable.Range(0, churn.Length).Where(i => i % 3 != 0 || i >= churn.Length - 2).ToList();
        foreach (var i in survivors.Take(200))
        {
            Assert.Contains(index.Query(churn[i], 0), m => m.Id == 10_000 + i);
        }
    }

    [Fact]
    public void Queries_into_a_reused_list_allocate_nothing()
    {
        var random = new Random(25);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 64);
        var query = PdqTestData.RandomHash(random);
        var hashes = Enumerable.Range(0, 3000).Select(i => i < 40 ? PdqTestData.Near(query, i, random) : PdqTestData.RandomHash(random)).ToArray();
        index.AddRange(hashes, Enumerable.Range(0, hashes.Length).ToArray());
        index.Add(PdqTestData.Near(query, 3, random), -1); // one entry in the delta too
        var results = new List<PdqMatch<int>>(1024);
        int[] thresholds = [0, 16, 31, 47, 64];
        foreach (var threshold in thresholds)
        {
            results.Clear();
            index.Query(query, threshold, int.MaxValue, results);
        }

        // A per-query allocation shows in every round; a one-off allocation by the runtime on this thread (seen once
        // in CI on a loaded machine: 4,096 bytes) shows in one round only. The claim is the former: some round of 500
        // queries must allocate exactly nothing.
        var allocatedPerRound = new List<long>();
        var found = 0;
        for (var round = 0; round < 3 && (allocatedPerRound.Count == 0 || allocatedPerRound[^1] != 0); round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                foreach (var threshold in thresholds)
                {
                    results.Clear();
                    found += index.Query(query, threshold, int.MaxValue, results);
                }
            }

            allocatedPerRound.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocatedPerRound[^1]);
        Assert.True(found > 0);
    }

    private static void AssertSameAnswers(PdqIndex<int> index, PdqBruteForce<int> brute, PdqHash query, int threshold)
    {
        var expected = PdqTestData.Canonical(brute.Query(query, threshold));
        var actual = PdqTestData.Canonical(index.Query(query, threshold));

        Assert.Equal(expected, actual);
    }
}
