using Federation.Hub.Domain;
using Federation.Hub.Governance;
using Federation.Hub.Storage;

namespace Federation.Hub.Signals;

/// <summary>How much of the query video and of a matched stored video matched (reference vPDQ rule), in percent.</summary>
public readonly record struct VideoMatchShares(double QueryPercent, double TargetPercent);

/// <summary>One record a query matched, with the caller's own part of it.</summary>
/// <param name="Record">The stored record.</param>
/// <param name="ContributedByCaller">Whether the caller contributed to it.</param>
/// <param name="CallerOpinion">The caller's opinion of it (the stored number).</param>
/// <param name="Distance">PDQ Hamming distance (0 for an exact match).</param>
/// <param name="Video">For a video match, the two shares.</param>
/// <param name="FrameTimestampMs">For a cross-media match, the timestamp of the video frame that matched.</param>
/// <param name="LinkedSignalIds">The other hashes of the same media item (same sharing group).</param>
/// <param name="ItemCorroboration">Members backing any hash of the media item, each once (the record's own count when nothing is linked).</param>
public readonly record struct LookupHit(
    SignalRecord Record, bool ContributedByCaller, int CallerOpinion, int Distance, VideoMatchShares? Video, uint? FrameTimestampMs,
    IReadOnlyList<string> LinkedSignalIds, int ItemCorroboration);

/// <summary>The answer to one query: its matches (best first), or why it was refused; and a known-benign entry it hit.</summary>
public sealed class LookupItemResult(int index)
{
    /// <summary>The query's position in the batch.</summary>
    public int Index { get; } = index;

    /// <summary>Why the query was refused (then there are no matches).</summary>
    public ItemRefusal? Refusal { get; set; }

    /// <summary>The known-benign entry the queried hash is on, if any.</summary>
    public BenignHit? Benign { get; set; }

    /// <summary>The records matched, best first.</summary>
    public List<LookupHit> Matches { get; } = [];
}
