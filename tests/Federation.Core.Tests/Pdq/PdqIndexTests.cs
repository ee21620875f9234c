using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

public sealed class PdqIndexTests
{
    public static TheoryData<int> Thresholds => [0, 1, 8, 15, 16, 17, 31, 32, 47, 48, 64];

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Random_hashes_with_planted_neighbours_match_brute_force(int threshold)
    {
        var random = new Random(threshold + 1);
        var (index, brute, origins, _) = Build(random, randomCount: 3000, clusters: 50, perCluster: 8);
        using var indexScope = index;

        foreach (var query in origins.Concat(Enumerable.Range(0, 20).Select(_ => PdqTestData.RandomHash(random))))
        {
            AssertSameAnswers(index, brute, query, threshold);
        }
    }

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void Clustered_hashes_match_brute_force(int threshold)
    {
        var random = new Random(1000 + threshold);
        using var index = new PdqIndex<int>();
        var brute = new PdqBruteForce<int>();
        var centres = Enumerable.Range(0, 10).Select(_ => PdqTestData.RandomHash(random)).ToList();
        var id = 0;
        foreach (var centre in centres)
        {
            for (var i = 0; i < 200; i++)
            {
                var hash = PdqTestData.Near(centre, random.Next(0, 48), random);
                index.Add(hash, id);
                brute.Add(hash, id);
                id++;
            }
        }

        foreach (var centre in centres)
        {
            AssertSameAnswers(index, brute, centre, threshold);
            AssertSameAnswers(index, brute, PdqTestData.Near(centre, 10, random), threshold);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(31)]
    public void Hashes_at_the_threshold_and_one_either_side_spread_over_all_chunks_are_decided_exactly(int threshold)
    {
        var random = new Random(7);
        var query = PdqTestData.RandomHash(random);
        using var index = new PdqIndex<int>();
        var brute = new PdqBruteForce<int>();
        var id = 0;
        foreach (var distance in new[] { threshold - 1, threshold, threshold + 1 }.Where(d => d >= 0))
        {
            for (var rotation = 0; rotation < 16; rotation++)
            {
                var spread = PdqTestData.SpreadOverChunks(query, distance, rotation);
                index.Add(spread, id);
                brute.Add(spread, id);
                id++;
                var scattered = PdqTestData.Near(query, distance, random);
                index.Add(scattered, id);
                brute.Add(scattered, id);
                id++;
            }
        }

        var matches = index.Query(query, threshold);

        AssertSameAnswers(index, brute, query, threshold);
        Assert.All(matches, m => Assert.True(m.Distance <= threshold));
        Assert.Equal(threshold == 0 ? 32 : 64, matches.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(31)]
    public void Many_hashes_sharing_chunks_with_the_query_match_brute_force(int threshold)
    {
        var random = new Random(11);
        var query = PdqTestData.RandomHash(random);
        using var index = new PdqIndex<int>();
        var brute = new PdqBruteForce<int>();
        for (var id = 0; id < 2000; id++)
        {
            // Keep the query's chunks 0..3 (so every one lands in the query's buckets) and randomize a
            // varying share of the rest, giving distances from 0 to far beyond any threshold.
            var other = PdqTestData.RandomHash(random);
            var keepMask = ~0UL << random.Next(0, 64);
            var hash = new PdqHash(
                id % 3 == 0 ? query.Word0 : (query.Word0 & keepMask) | (other.Word0 & ~keepMask),
                id % 2 == 0 ? query.Word1 : other.Word1,
                PdqTestData.Near(query, random.Next(0, 6), random).Word2,
                query.Word3);
            index.Add(hash, id);
            brute.Add(hash, id);
        }

        AssertSameAnswers(index, brute, query, threshold);
        AssertSameAnswers(index, brute, query.WithBitFlipped(3), threshold);
        AssertSameAnswers(index, brute, PdqTestData.SpreadOverChunks(query, 20), threshold);
    }

    [Fact]
    public void Removed_entries_are_no_longer_found_and_the_rest_still_are()
    {
        var random = new Random(3);
        var (index, brute, origins, entries) = Build(random, randomCount: 2000, clusters: 20, perCluster: 10);
        using var indexScope = index;
        var removed = 0;

        foreach (var (hash, id) in entries)
        {
            if (id % 3 == 0)
            {
                Assert.True(index.Remove(hash, id));
                Assert.True(brute.Remove(hash, id));
                removed++;
            }
        }

        Assert.Equal(brute.Count, index.Count);
        foreach (var origin in origins)
        {
            AssertSameAnswers(index, brute, origin, 31);
            Assert.DoesNotContain(index.Query(origin, 256), m => m.Id % 3 == 0);
        }

        Assert.True(removed > 0);
    }

    [Fact]
    public void Remove_of_an_unknown_entry_returns_false_and_changes_nothing()
    {
        var random = new Random(5);
        using var index = new PdqIndex<string>();
        var hash = PdqTestData.RandomHash(random);
        index.Add(hash, "a");

        Assert.False(index.Remove(hash, "b"));
        Assert.False(index.Remove(hash.WithBitFlipped(0), "a"));
        Assert.Equal(1, index.Count);
        Assert.Single(index.Query(hash, 0));
    }

    [Fact]
    public void Slots_freed_by_removal_are_reused_without_resurrecting_old_entries()
    {
        var random = new Random(6);
        using var index = new PdqIndex<string>();
        var first = PdqTestData.RandomHash(random);
        var second = PdqTestData.RandomHash(random);
        index.Add(first, "first");
        index.Remove(first, "first");

        index.Add(second, "second");

        Assert.Empty(index.Query(first, 31));
        Assert.Equal([new PdqMatch<string>("second", 0)], index.Query(second, 31));
    }

    [Fact]
    public void Query_returns_nearest_first_and_at_most_max_results()
    {
        var random = new Random(8);
        var query = PdqTestData.RandomHash(random);
        using var index = new PdqIndex<int>();
        for (var distance = 31; distance >= 0; distance--)
        {
            index.Add(PdqTestData.Near(query, distance, random), distance);
        }

        var matches = index.Query(query, 31, maxResults: 5);

        Assert.Equal([0, 1, 2, 3, 4], matches.Select(m => m.Distance));
        Assert.Equal([0, 1, 2, 3, 4], matches.Select(m => m.Id));
    }

    [Fact]
    public void The_same_hash_under_several_ids_is_reported_once_per_id()
    {
        var hash = PdqTestData.RandomHash(new Random(9));
        using var index = new PdqIndex<string>();
        index.Add(hash, "x");
        index.Add(hash, "y");

        var matches = index.Query(hash, 31);

        Assert.Equal(["x", "y"], matches.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task Concurrent_queries_while_one_writer_adds_and_removes_see_consistent_answers()
    {
        var random = new Random(10);
        var stable = Enumerable.Range(0, 200).Select(_ => PdqTestData.RandomHash(random)).ToArray();
        var churn = Enumerable.Range(0, 2000).Select(_ => PdqTestData.RandomHash(random)).ToArray();
        using var index = new PdqIndex<int>();
        index.AddRange(stable, Enumerable.Range(0, stable.Length).ToArray());

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < churn.Length; i++)
            {
                index.Add(churn[i], 10_000 + i);
                if (i % 2 == 1)
                {
                    index.Remove(churn[i - 1], 10_000 + i - 1);
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var failures = 0;
            for (var round = 0; !writer.IsCompleted || round < 3; round++)
            {
                for (var i = 0; i < stable.Length; i++)
                {
                    var matches = index.Query(stable[i], 31);
                    failures += matches.Any(m => m.Id == i && m.Distance == 0) ? 0 : 1;
                }
            }

            return failures;
        })).ToArray();

        await writer.WaitAsync(TimeSpan.FromMinutes(1));
        var failures = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.All(failures, f => Assert.Equal(0, f));
        Assert.Equal(stable.Length + (churn.Length / 2), index.Count);
    }

    [Fact]
    public void Query_rejects_distances_outside_0_to_256()
    {
        using var index = new PdqIndex<int>();

        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(PdqHash.Zero, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(PdqHash.Zero, 257));
    }

    private static (PdqIndex<int> Index, PdqBruteForce<int> Brute, List<PdqHash> Origins, List<(PdqHash Hash, int Id)> Entries) Build(
        Random random, int randomCount, int clusters, int perCluster)
    {
        var index = new PdqIndex<int>();
        var brute = new PdqBruteForce<int>();
        var origins = new List<PdqHash>();
        var entries = new List<(PdqHash Hash, int Id)>();
        var id = 0;
        for (var i = 0; i < randomCount; i++)
        {
            var hash = PdqTestData.RandomHash(random);
            index.Add(hash, id);
            brute.Add(hash, id);
            entries.Add((hash, id));
            id++;
        }

        for (var c = 0; c < clusters; c++)
        {
            var origin = PdqTestData.RandomHash(random);
            origins.Add(origin);
            for (var i = 0; i < perCluster; i++)
            {
                var hash = PdqTestData.Near(origin, random.Next(0, 40), random);
                index.Add(hash, id);
                brute.Add(hash, id);
                entries.Add((hash, id));
                id++;
            }
        }

        return (index, brute, origins, entries);
    }

    private static void AssertSameAnswers(PdqIndex<int> index, PdqBruteForce<int> brute, PdqHash query, int threshold)
    {
        var expected = PdqTestData.Canonical(brute.Query(query, threshold));
        var actual = PdqTestData.Canonical(index.Query(query, threshold));

        Assert.Equal(expected, actual);
    }
}
