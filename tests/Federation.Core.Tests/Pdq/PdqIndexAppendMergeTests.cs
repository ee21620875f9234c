using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

/// <summary>
/// Live adds folded into the main segment by appending (its slots kept) rather than rebuilding it, with
/// rebuilds only for compaction or a larger directory: answers always equal brute force.
/// </summary>
public sealed class PdqIndexAppendMergeTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(43)]
    public void Interleaved_adds_removes_and_merges_that_append_to_main_match_brute_force(int threshold)
    {
        var random = new Random(500 + threshold);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 64);
        var kinds = new List<PdqMergeKind>();
        index.MergeReported = report =>
        {
            lock (kinds)
            {
                kinds.Add(report.Kind);
            }
        };
        var brute = new PdqBruteForce<int>();
        var query = PdqTestData.RandomHash(random);
        var bulk = Enumerable.Range(0, 3000).Select(i => i % 10 == 0 ? PdqTestData.Near(query, random.Next(0, 45), random) : PdqTestData.RandomHash(random)).ToArray();
        index.AddRange(bulk, Enumerable.Range(0, bulk.Length).ToArray());
        var live = bulk.Select((h, i) => (Hash: h, Id: i)).ToList();
        foreach (var (hash, id) in live)
        {
            brute.Add(hash, id);
        }

        // 3,000 + 6,000 entries cross 4,096 (a larger directory: one rebuild) and the removals, a sixth of the
        // adds, pass an eighth of main now and then (compaction); the rest are appends.
        for (var i = 0; i < 6000; i++)
        {
            var hash = i % 3 == 0 ? PdqTestData.Near(query, random.Next(0, 45), random)
                : i % 11 == 5 ? live[random.Next(live.Count)].Hash // a duplicate hash under a new id
                : PdqTestData.RandomHash(random);
            index.Add(hash, 10_000 + i);
            brute.Add(hash, 10_000 + i);
            live.Add((hash, 10_000 + i));
            if (i % 6 == 5)
            {
                // Old bulk entries (in main) as well as recent ones.
                var victim = i % 12 == 5 ? random.Next(Math.Min(live.Count, 2000)) : random.Next(live.Count);
                var (h, id) = live[victim];
                live.RemoveAt(victim);
                Assert.True(index.Remove(h, id));
                Assert.True(brute.Remove(h, id));
            }

            if (i % 200 == 199)
            {
                AssertSameAnswers(index, brute, query, threshold);
            }

            if (i % 32 == 31)
            {
                index.WaitForMerges(); // merges keep pace with the adds, as they do at a live rate
            }
        }

        index.WaitForMerges();
        Assert.Equal(brute.Count, index.Count);
        AssertSameAnswers(index, brute, query, threshold);
        AssertSameAnswers(index, brute, query, 64);
        foreach (var (hash, _) in live.Take(50))
        {
            AssertSameAnswers(index, brute, hash, threshold);
        }

        lock (kinds)
        {
            Assert.Contains(PdqMergeKind.Recent, kinds);
            Assert.Contains(PdqMergeKind.MainAppend, kinds);
            Assert.Contains(PdqMergeKind.MainRebuild, kinds);
            Assert.True(kinds.Count(k => k == PdqMergeKind.MainAppend) > kinds.Count(k => k == PdqMergeKind.MainRebuild), string.Join(", ", kinds));
        }
    }

    [Fact]
    public void Removals_and_adds_while_an_append_to_main_is_building_are_kept()
    {
        var random = new Random(41);
        using var index = new PdqIndex<int>(16, null, minDeltaLimit: 64);
        var brute = new PdqBruteForce<int>();
        var query = PdqTestData.RandomHash(random);
        var bulk = Enumerable.Range(0, 2500).Select(i => i < 40 ? PdqTestData.Near(query, i, random) : PdqTestData.RandomHash(random)).ToArray();
        index.AddRange(bulk, Enumerable.Range(0, bulk.Length).ToArray());
        for (var i = 0; i < bulk.Length; i++)
        {
            brute.Add(bulk[i], i);
        }

        PdqMergeKind? heldKind = null;
        using var building = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        index.BeforeMergeBuild = () =>
        {
            if (index.MergingMain && !building.IsSet)
            {
                building.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        index.MergeReported = report => heldKind ??= report.Kind == PdqMergeKind.Recent ? null : report.Kind;

        // Adds until a merge into main starts and blocks (the recent segment fills after a few delta merges).
        var recentAdds = new List<(PdqHash Hash, int Id)>();
        for (var i = 0; i < 5000 && !building.IsSet; i++)
        {
            var hash = i % 4 == 0 ? PdqTestData.Near(query, random.Next(0, 40), random) : PdqTestData.RandomHash(random);
            index.Add(hash, 10_000 + i);
            brute.Add(hash, 10_000 + i);
            recentAdds.Add((hash, 10_000 + i));
            if (i % 64 == 0)
            {
                building.Wait(TimeSpan.FromMilliseconds(50)); // lets the merge task catch up; not an assertion
            }
        }

        Assert.True(building.Wait(TimeSpan.FromSeconds(30)), "no merge into main started");

        // While it is held: remove from main (bulk entries), from what it is folding in, and add more.
        foreach (var (hash, id) in new[] { (bulk[3], 3), (bulk[17], 17), recentAdds[0], recentAdds[^1] })
        {
            Assert.True(index.Remove(hash, id));
            Assert.True(brute.Remove(hash, id));
        }

        Assert.False(index.Remove(bulk[3], 3));
        var late = PdqTestData.Near(query, 2, random);
        index.Add(late, 30_000);
        brute.Add(late, 30_000);
        AssertSameAnswers(index, brute, query, 31);

        release.Set();
        index.WaitForMerges();
        index.BeforeMergeBuild = null;

        Assert.Equal(PdqMergeKind.MainAppend, heldKind);
        Assert.Equal(brute.Count, index.Count);
        AssertSameAnswers(index, brute, query, 31);
        AssertSameAnswers(index, brute, query, 64);
        Assert.DoesNotContain(index.Query(bulk[17], 0), m => m.Id == 17);
        Assert.Contains(index.Query(late, 0), m => m.Id == 30_000);
    }

    private static void AssertSameAnswers(PdqIndex<int> index, PdqBruteForce<int> brute, PdqHash query, int threshold)
    {
        var expected = PdqTestData.Canonical(brute.Query(query, threshold));
        var actual = PdqTestData.Canonical(index.Query(query, threshold));

        Assert.Equal(expected, actual);
    }
}
