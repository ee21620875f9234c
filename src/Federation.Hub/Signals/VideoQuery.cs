using System.Diagnostics.CodeAnalysis;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Grpc.Core;

namespace Federation.Hub.Signals;

/// <summary>A validated VPDQ near-match query: the query video's canonical frames and the reference rule's thresholds.</summary>
public sealed record VideoQuery(VpdqFrameSet Frames, int MaxFrameDistance, int MinQuality, double MinQueryPercent, double MinTargetPercent)
{
    private const int MaxMatches = 100;

    /// <summary>Validates query <paramref name="index"/>; the error is that query's INVALID_ARGUMENT.</summary>
    public static bool TryCreate(LookupQuery query, int index, int maxPdqDistance, [NotNullWhen(true)] out VideoQuery? video, [NotNullWhen(false)] out ItemError? error)
    {
        video = null;
        var field = $"queries[{index}]";
        if (query.MaxMatches > MaxMatches)
        {
            error = Invalid($"{field}.max_matches", $"lookup.max_matches: a query returns at most {MaxMatches} matches; got {query.MaxMatches}");
            return false;
        }

        if (!VpdqSubmissionRules.TryBuild(query.Vpdq, "", field, out var frames, out _, out var framesError))
        {
            error = Invalid(framesError.Value.Field, framesError.Value.Description);
            return false;
        }

        var options = query.VpdqOptions ?? new VpdqMatchOptions();
        var quality = options.HasMinFrameQuality ? options.MinFrameQuality : VpdqMatcher.DefaultMinQuality;
        var minQuery = options.HasMinQueryMatchPercent ? options.MinQueryMatchPercent : VpdqMatcher.DefaultMinQueryMatchPercent;
        var minTarget = options.HasMinTargetMatchPercent ? options.MinTargetMatchPercent : VpdqMatcher.DefaultMinTargetMatchPercent;
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

        var distance = options.HasMaxFrameDistance ? (int)Math.Min(options.MaxFrameDistance, (uint)maxPdqDistance) : VpdqMatcher.DefaultMaxFrameDistance;
        video = new VideoQuery(frames, distance, (int)quality, minQuery, minTarget);
        error = null;
        return true;
    }

    /// <summary>The two shares when <paramref name="stored"/> matches under this query's rule; otherwise null.</summary>
    public VpdqMatchShares? Score(VpdqFrameSet stored)
    {
        var result = VpdqMatcher.Compare(Frames, stored, MaxFrameDistance, MinQuality);
        return result.IsMatch(MinQueryPercent, MinTargetPercent)
            ? new VpdqMatchShares { QueryMatchPercent = result.QueryMatchPercent, TargetMatchPercent = result.TargetMatchPercent }
            : null;
    }

    private static ItemError Invalid(string field, string description) =>
        new() { Code = (int)StatusCode.InvalidArgument, Field = field, Description = description };
}
