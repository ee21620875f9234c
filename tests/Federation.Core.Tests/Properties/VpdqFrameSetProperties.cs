using Federation.Core.Pdq;
using Federation.Core.Vpdq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Federation.Core.Tests.Properties;

/// <summary>
/// Properties of the canonical vPDQ frame set and the match rule (FsCheck, bounded runs): matching the deduplicated
/// sets gives the reference C++ matcher's percentages over the raw frame lists; the identity ignores frame order;
/// the stored form round-trips.
/// </summary>
public sealed class VpdqFrameSetProperties
{
    // A few base hashes and small perturbations of them, so that near matches, exact duplicates and misses all occur.
    private static readonly Gen<PdqHash> Hashes =
        from b in Gen.Choose(0, 3)
        from n in Gen.Choose(0, 40)
        from flips in Gen.ArrayOf(Gen.Choose(0, 255), n)
        from far in Gen.Elements(true, false, false)
        select Perturb(Base(b), far ? [.. flips, .. Enumerable.Range(0, 60).Select(i => (i * 4) + 1)] : flips);

    private static readonly Gen<VpdqFrame[]> Videos =
        from count in Gen.Choose(1, 24)
        from frames in Gen.ArrayOf(
            from hash in Hashes
            from quality in Gen.Elements(0, 30, 49, 50, 80, 100)
            select (hash, quality), count)
        select frames.Select((f, i) => new VpdqFrame(i, f.hash, f.quality, i / 30f)).ToArray();

    [Property(MaxTest = 500)]
    public Property Matching_the_canonical_sets_gives_the_reference_percentages_over_the_raw_frames() =>
        Prop.ForAll(Arb.From(Videos), Arb.From(Videos), (query, target) =>
        {
            var actual = VpdqMatcher.Compare(VpdqFrameSet.FromFrames(query), VpdqFrameSet.FromFrames(target));
            var (q, t) = ReferenceBrute(query, target, distanceTolerance: 31, qualityTolerance: 50);
            return Math.Abs(actual.QueryMatchPercent - q) < 1e-9 && Math.Abs(actual.TargetMatchPercent - t) < 1e-9;
        });

    [Property(MaxTest = 300)]
    public Property The_identity_does_not_depend_on_frame_order_and_the_stored_form_round_trips() =>
        Prop.ForAll(Arb.From(Videos), frames =>
        {
            var set = VpdqFrameSet.FromFrames(frames);
            var shuffled = VpdqFrameSet.FromFrames(frames.Reverse());
            var decoded = VpdqFrameSet.Decode(set.Encode());
            return set.Identity.AsSpan().SequenceEqual(shuffled.Identity)
                && decoded.Identity.AsSpan().SequenceEqual(set.Identity)
                && decoded.FeatureList.SequenceEqual(set.FeatureList)
                && set.TotalFrames == frames.Length;
        });

    // matchTwoHashBrute of vpdq/cpp, transcribed: filter by quality, count frames with any frame of the other side at
    // distance < tolerance, no deduplication.
    private static (double Query, double Target) ReferenceBrute(VpdqFrame[] query, VpdqFrame[] target, int distanceTolerance, int qualityTolerance)
    {
        var q = query.Where(f => f.Quality >= qualityTolerance).ToList();
        var t = target.Where(f => f.Quality >= qualityTolerance).ToList();
        if (q.Count == 0 || t.Count == 0)
        {
            return (0, 0);
        }

        var qCount = q.Count(a => t.Any(b => a.Hash.Distance(b.Hash) < distanceTolerance));
        var tCount = t.Count(a => q.Any(b => a.Hash.Distance(b.Hash) < distanceTolerance));
        return (qCount * 100.0 / q.Count, tCount * 100.0 / t.Count);
    }

    private static PdqHash Base(int b) => b switch
    {
        0 => new PdqHash(0x9d987e72627698d6, 0x99f6d9dc99986316, 0x663799f099e22007, 0x658cff6c92605929),
        1 => new PdqHash(0x1234567890abcdef, 0xfedcba0987654321, 0x0f0f0f0ff0f0f0f0, 0xaaaaaaaa55555555),
        2 => new PdqHash(0xffff0000ffff0000, 0x0000ffff0000ffff, 0x123456789abcdef0, 0x0fedcba987654321),
        _ => new PdqHash(0x0123456789abcdef, 0x0123456789abcdef, 0x0123456789abcdef, 0x0123456789abcdef),
    };

    private static PdqHash Perturb(PdqHash hash, IEnumerable<int> bits)
    {
        foreach (var bit in bits.Distinct())
        {
            hash = hash.WithBitFlipped(bit);
        }

        return hash;
    }
}
