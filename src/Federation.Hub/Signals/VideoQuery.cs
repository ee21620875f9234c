using System.Diagnostics.CodeAnalysis;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Domain;

namespace Federation.Hub.Signals;

/// <summary>A validated VPDQ near-match query: the query video's canonical frames and the reference rule's thresholds.</summary>
public sealed record VideoQuery(VpdqFrameSet Frames, int MaxFrameDistance, int MinQuality, double MinQueryPercent, double MinTargetPercent)
{
    private const int MaxMatches = 100;

    /// <summary>Validates query <paramref name="index"/>; the error is that query's INVALID_ARGUMENT.</summary>
    public static bool TryCreate(in LookupItem query, int index, int maxPdqDistance, [NotNullWhen(true)] out VideoQuery? video, [NotNullWhen(false)] out ItemRefusal? error)
    {
        video = null;
        var field = $"queries[{index}]";
        if (query.MaxMatches > MaxMatches)
        {
            error = Invalid($"{field}.max_matches", $"lookup.max_matches: a query returns at most {MaxMatches} matches; got {query.MaxMatches}");
            return false;
        }

        if (!VpdqSubmissionRules.TryBuild(query.VideoFrames, "", field, out var frames, out _, out var framesError))
        {
            error = Invalid(framesError.Value.Field, framesError.Value.Description);
            return false;
        }

        var options = query.VideoThresholds;
        var quality = options?.MinFrameQuality ?? VpdqMatcher.DefaultMinQuality;
        var minQuery = options?.MinQueryMatchPercent ?? VpdqMatcher.DefaultMinQueryMatchPercent;
        var minTarget = options?.MinTargetMatchPercent ?? VpdqMatcher.DefaultMinTargetMatchPercent;
        if (quality > SignalNormalizer.MaxPdqQuality)
        {
            error = Invalid($"{field}.vpdq_options.min_frame_quality", $"vpdq.min_frame_quality: must be 0-{SignalNormalizer.MaxPdqQuality}; got {quality}");
            return false;
        }

        if (minQuery is < 0 or > 100 || double.IsNaN(minQuery) || minTarget is < 0 or > 100 || double.IsNaN(minTarget))
        {
            error = Invalid($"{field}.vpdq_options", "vpdq.match_percent: min_query_match_percent and min_target_match_percent must be 0-100");
            return false;
        }

        var distance = options?.MaxFrameDistance is { } max ? (int)Math.Min(max, (uint)maxPdqDistance) : VpdqMatcher.DefaultMaxFrameDistance;
        video = new VideoQuery(frames, distance, (int)quality, minQuery, minTarget);
        error = null;
        return true;
    }

    /// <summary>The two shares when <paramref name="stored"/> matches under this query's rule; otherwise null.</summary>
    public VideoMatchShares? Score(VpdqFrameSet stored)
    {
        var result = VpdqMatcher.Compare(Frames, stored, MaxFrameDistance, MinQuality);
        return result.IsMatch(MinQueryPercent, MinTargetPercent)
            ? new VideoMatchShares(result.QueryMatchPercent, result.TargetMatchPercent)
            : null;
    }

    private static ItemRefusal Invalid(string field, string description) => new(HubErrorKind.InvalidArgument, field, description);
}
