using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>
/// The reference vPDQ match rule (vpdq/cpp matchTwoHash.cpp <c>matchTwoHashBrute</c>): frames below the quality
/// threshold are dropped from both sides; a frame matches when some frame of the other video is within the distance;
/// each side's percentage is its matched frames over its remaining frames.
/// </summary>
/// <remarks>
/// The C++ counts a pair when the distance is <em>strictly less than</em> its tolerance 31; this class takes the
/// largest distance that counts (inclusive), so its default 30 is the reference's rule. Frames are weighted by their
/// counts, which gives the C++ figures for the full, non-deduplicated frame lists.
/// </remarks>
public static class VpdqMatcher
{
    /// <summary>The largest frame distance that counts as a match by default: the reference's <c>&lt; 31</c>.</summary>
    public const int DefaultMaxFrameDistance = 30;

    /// <summary>Frames below this quality are ignored by default (the reference's quality tolerance).</summary>
    public const int DefaultMinQuality = 50;

    /// <summary>Default share of the query's frames that must match (python-threatexchange's vPDQ default).</summary>
    public const double DefaultMinQueryMatchPercent = 80;

    /// <summary>Default share of the target's frames that must match (python-threatexchange's vPDQ default).</summary>
    public const double DefaultMinTargetMatchPercent = 0;

    /// <summary>Compares two videos by brute force over their distinct frames.</summary>
    public static VpdqMatchResult Compare(VpdqFrameSet query, VpdqFrameSet target, int maxFrameDistance = DefaultMaxFrameDistance, int minQuality = DefaultMinQuality)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(target);
        return new VpdqMatchResult(
            Share(query.Features, target.Features, maxFrameDistance, minQuality),
            Share(target.Features, query.Features, maxFrameDistance, minQuality));
    }

    // Weighted share of `from`'s usable frames that have a usable frame of `to` within the distance. 0 when either side
    // has no usable frame (as the reference).
    private static double Share(ReadOnlySpan<VpdqFeature> from, ReadOnlySpan<VpdqFeature> to, int maxDistance, int minQuality)
    {
        long usable = 0, matched = 0;
        var anyTarget = false;
        foreach (var t in to)
        {
            if (t.Quality >= minQuality)
            {
                anyTarget = true;
                break;
            }
        }

        foreach (var f in from)
        {
            if (f.Quality < minQuality)
            {
                continue;
            }

            usable += f.Count;
            if (HasMatch(f.Hash, to, maxDistance, minQuality))
            {
                matched += f.Count;
            }
        }

        return usable == 0 || !anyTarget ? 0 : matched * 100.0 / usable;
    }

    private static bool HasMatch(in PdqHash hash, ReadOnlySpan<VpdqFeature> candidates, int maxDistance, int minQuality)
    {
        foreach (var c in candidates)
        {
            if (c.Quality >= minQuality && hash.Distance(c.Hash) <= maxDistance)
            {
                return true;
            }
        }

        return false;
    }
}
