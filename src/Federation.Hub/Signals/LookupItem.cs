using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>
/// One query of a look-up batch as the domain sees it, built from the contract by the interface that received it
/// (<c>Services/LookupMapping</c>). Validated per query by <see cref="SignalLookupService"/>.
/// </summary>
/// <param name="Kind">The signal type as sent.</param>
/// <param name="Value">The hash as sent.</param>
/// <param name="KeyId">The coalition key id of a keyed HMAC type, otherwise empty.</param>
/// <param name="MaxDistance">For PDQ, the largest Hamming distance wanted, when sent.</param>
/// <param name="MaxMatches">Most matches wanted (0: the default).</param>
/// <param name="CrossMedia">Also match across media: videos containing a PDQ image, images within a video's frames.</param>
/// <param name="VideoFrames">A VPDQ near-match query's frames (null when none were sent).</param>
/// <param name="VideoThresholds">The vPDQ rule's thresholds the caller set (null: the reference's defaults).</param>
public readonly record struct LookupItem(
    SignalKind Kind,
    string Value,
    string KeyId,
    uint? MaxDistance,
    uint MaxMatches,
    bool CrossMedia,
    IReadOnlyList<VideoFrameInput>? VideoFrames,
    VideoMatchThresholds? VideoThresholds);

/// <summary>The vPDQ match rule's thresholds a query set; each null one takes the reference's default.</summary>
public sealed record VideoMatchThresholds(uint? MaxFrameDistance, uint? MinFrameQuality, double? MinQueryMatchPercent, double? MinTargetMatchPercent);
