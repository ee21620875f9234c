using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

/// <summary>
/// <see cref="PdqIndexSegment{TId}"/> on its own, at bucket sizes the index only reaches at millions of
/// entries (all chunk bits in the directory or the residual) and at the smallest (most bits unstored).
/// </summary>
public sealed class PdqIndexSegmentTests
{
    public static TheoryData<int, int> BitsAndThresholds()
    {
        var data = new TheoryData<int, int>();
        foreach (var bits in new[] { 4, 12, 19, 22 })
        {
            foreach (var threshold in new[] { 0, 1, 10, 11, 12, 21, 22, 31, 32, 33, 43, 44, 64 })
            {
                data.Add(bits, threshold);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BitsAndThresholds))]
    public void Planted_neighbours_spread_over_the_chunks_and_random_hashes_match_brute_force(int directoryBits, int threshold)
    {
        var random = new Random((directoryBits * 100) + threshold);
        var query = PdqTestData.RandomHash(random);
        var hashes = new List<PdqHash>();
        foreach (var distance in new[] { threshold - 1, threshold, threshold + 1 }.Where(d => d is >= 0 and <= 44))
        {
            for (var rotation = 0; rotation < 11; rotation++)
            {
                hashes.Add(PdqTestData.SpreadOverElevenChunks(query, distance, rotation));
                hashes.Add(PdqTestData.Near(query, distance, random));
            }
        }

        hashes.AddRange(Enumerable.Range(0, 2000).Select(_ => PdqTestData.RandomHash(random)));
        hashes.Add(query);
        hashes.Add(query); // a duplicate: both reported
        var segment = Build(hashes, directoryBits);

        foreach (var q in new[] { query, PdqTestData.Near(query, 5, random), PdqTestData.RandomHash(random) })
        {
            Assert.Equal(BruteForce(hashes, q, threshold), Query(segment, q, threshold));
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(22)]
    public void Removing_marks_exactly_one_copy_dead(int directoryBits)
    {
        var random = new Random(directoryBits);
        var query = PdqTestData.RandomHash(random);
        var hashes = Enumerable.Range(0, 500).Select(i => i < 20 ? PdqTestData.Near(query, i, random) : PdqTestData.RandomHash(random)).ToList();
        hashes.Add(hashes[3]);
        var segment = Build(hashes, directoryBits);

        Assert.True(segment.TryRemove(hashes[3], 3, EqualityComparer<int>.Default));
        Assert.False(segment.TryRemove(hashes[3], 3, EqualityComparer<int>.Default));
        Assert.True(segment.TryRemove(hashes[3], hashes.Count - 1, EqualityComparer<int>.Default));
        Assert.False(segment.TryRemove(PdqTestData.RandomHash(random), 0, EqualityComparer<int>.Default));

        var expected = BruteForce(hashes, query, 31).Where(m => m.Slot != 3 && m.Slot != hashes.Count - 1).ToList();
        Assert.Equal(expected, Query(segment, query, 31));
        Assert.Equal(2, segment.DeadCount);
    }

    private static PdqIndexSegment<int> Build(List<PdqHash> hashes, int directoryBits)
    {
        var delta = new PdqIndexDelta<int>(hashes.Count);
        for (var i = 0; i < hashes.Count; i++)
        {
            delta.Add(hashes[i], i);
        }

        return PdqIndexSegment<int>.Build([], delta, delta.SnapshotDead(), directoryBits);
    }

    private static List<(int Distance, int Slot)> Query(PdqIndexSegment<int> segment, PdqHash query, int threshold)
    {
        var scratch = PdqQueryScratch.Current;
        scratch.Reset();
        segment.Query(query, threshold, 0, scratch);
        return [.. scratch.Matches.ToArray().Select(m => (Distance: (int)(m >> 32), Slot: (int)(uint)m)).OrderBy(m => m.Distance).ThenBy(m => m.Slot)];
    }

    private static List<(int Distance, int Slot)> BruteForce(List<PdqHash> hashes, PdqHash query, int threshold) =>
        [.. hashes.Select((h, i) => (Distance: h.Distance(query), Slot: i)).Where(m => m.Distance <= threshold).OrderBy(m => m.Distance).ThenBy(m => m.Slot)];
}
