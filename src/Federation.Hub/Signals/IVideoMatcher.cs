using Federation.Core.Feed;
using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Core.Vpdq;

namespace Federation.Hub.Signals;

/// <summary>
/// The seam for video near-matching (VPDQ). Lookup asks it for candidate videos, reads their records and frames from
/// Redis and scores them with the reference vPDQ rule. Implemented by <c>Vpdq/VideoMatchIndex</c>, the
/// replica's in-memory frame index kept current from the feed.
/// </summary>
public interface IVideoMatcher
{
    /// <summary>
    /// VPDQ signals of the active videos the caller may see (coalition-wide or in one of <paramref name="callerGroups"/>)
    /// with a frame of quality at least <paramref name="minQuality"/> within <paramref name="maxDistance"/> of a query frame of that quality.
    /// </summary>
    IReadOnlyList<NormalizedSignal> FindCandidates(VpdqFrameSet query, int maxDistance, int minQuality, IReadOnlyList<string> callerGroups);

    /// <summary>Videos the caller may see holding a frame within <paramref name="maxDistance"/> of one image hash, nearest first, with that frame's timestamp.</summary>
    IReadOnlyList<(NormalizedSignal Video, int Distance, uint TimestampMs)> FindVideosWithFrame(in PdqHash hash, int maxDistance, int minQuality, IReadOnlyList<string> callerGroups);

    /// <summary>
    /// Returns once this replica's video index has applied every feed entry up to <paramref name="positions"/> (from a
    /// Submit's consistency token), as <see cref="IPdqMatcher.WaitForAsync"/>; throws a
    /// <see cref="Domain.ReplicaNotReadyException"/> when it has not within <paramref name="timeout"/>.
    /// </summary>
    Task WaitForAsync(IReadOnlyList<FeedPosition> positions, TimeSpan timeout, CancellationToken ct);

    /// <summary>Makes a video this replica has just stored matchable at once (read-your-writes), as <see cref="IPdqMatcher.Remember"/>.</summary>
    void Remember(in NormalizedSignal video, string group, VpdqFrameSet frames);
}
