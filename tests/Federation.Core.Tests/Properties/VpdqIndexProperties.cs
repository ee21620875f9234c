using Federation.Core.Pdq;
using Federation.Core.Vpdq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Federation.Core.Tests.Properties;

/// <summary>
/// The video index finds exactly the videos a brute-force matcher finds (FsCheck, bounded runs): candidates from
/// <see cref="VpdqIndex{TVideo}"/> scored with the reference rule give the same matches, with the same shares, as scoring
/// every stored video, for any thresholds, after adds and removes.
/// </summary>
public sealed class VpdqIndexProperties
{
    private static readonly PdqHash[] Bases = Enumerable.Range(0, 6).Select(i =>
    {
        var random = new Random(1000 + i);
        return new PdqHash((ulong)random.NextInt64(), (ulong)random.NextInt64(), (ulong)random.NextInt64(), (ulong)random.NextInt64());
    }).ToArray();

    private static readonly Gen<VpdqFeature> Features =
        from b in Gen.Choose(0, Bases.Length - 1)
        from n in Gen.Elements(0, 1, 5, 12, 20, 28, 30, 31, 32, 45)
        from seed in Gen.Choose(0, int.MaxValue)
        from quality in Gen.Elements(20, 49, 50, 70, 100)
        from count in Gen.Choose(1, 3)
        select new VpdqFeature(Flip(Bases[b], n, seed), quality, count, (uint)seed % 60_000);

    private static readonly Gen<VpdqFrameSet> Videos =
        from count in Gen.Choose(1, 12)
        from features in Gen.ArrayOf(Features, count)
        select VpdqFrameSet.FromFeatures(features);

    private static readonly Gen<(VpdqFrameSet[] Library, bool[] Removed, VpdqFrameSet Query, int Distance, int Quality, double MinQuery, double MinTarget)> Cases =
        from size in Gen.Choose(1, 30)
        from library in Gen.ArrayOf(Videos, size)
        from removed in Gen.ArrayOf(Gen.Elements(false, false, false, true), size)
        from query in Videos
        from distance in Gen.Elements(0, 16, 30, 31)
        from quality in Gen.Elements(0, 50, 80)
        from minQuery in Gen.Elements(0.0, 50.0, 80.0)
        from minTarget in Gen.Elements(0.0, 30.0)
        select (library, removed, query, distance, quality, minQuery, minTarget);

    [Property(MaxTest = 300)]
    public Property Index_candidates_scored_by_the_reference_rule_equal_brute_force() =>
        Prop.ForAll(Arb.From(Cases), c =>
        {
            using var index = new VpdqIndex<int>();
            for (var i = 0; i < c.Library.Length; i++)
            {
                index.Add(i, c.Library[i]);
            }

            for (var i = 0; i < c.Library.Length; i++)
            {
                if (c.Removed[i])
                {
                    index.Remove(i, c.Library[i]);
                }
            }

            var viaIndex = index.Candidates(c.Query, c.Distance, c.Quality)
                .Select(v => (Video: v, Result: VpdqMatcher.Compare(c.Query, c.Library[v], c.Distance, c.Quality)))
                .Where(m => m.Result.IsMatch(c.MinQuery, c.MinTarget))
                .OrderBy(m => m.Video)
                .ToList();
            var brute = Enumerable.Range(0, c.Library.Length)
                .Where(i => !c.Removed[i])
                .Select(v => (Video: v, Result: VpdqMatcher.Compare(c.Query, c.Library[v], c.Distance, c.Quality)))
                .Where(m => m.Result.IsMatch(c.MinQuery, c.MinTarget))
                .ToList();
            return viaIndex.SequenceEqual(brute);
        });

    private static PdqHash Flip(PdqHash hash, int bits, int seed)
    {
        var random = new Random(seed);
        var flipped = new HashSet<int>();
        while (flipped.Count < bits)
        {
            flipped.Add(random.Next(256));
        }

        foreach (var bit in flipped)
        {
            hash = hash.WithBitFlipped(bit);
        }

        return hash;
    }
}
