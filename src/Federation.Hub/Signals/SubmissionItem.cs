using Federation.Core.Governance;
using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>
/// One item of a submit batch as the domain sees it: the hash (or a video's frames), its labels and where it is shared.
/// Built from the contract by the interface that received it (<c>Services/SubmissionMapping</c>); its strings are the
/// request's own, not copies. Nothing here is validated yet: <see cref="SignalSubmitter"/> does that per item.
/// </summary>
/// <param name="Kind">The signal type as sent (a number this hub may not know; validation says so).</param>
/// <param name="Value">The hash as sent (hex, or for a video empty or its identity).</param>
/// <param name="KeyId">The coalition key id of a keyed HMAC type, otherwise empty.</param>
/// <param name="Categories">The categories as sent (duplicates and unknown values included).</param>
/// <param name="SharingGroup">The sharing group, or empty for coalition-wide.</param>
/// <param name="Quality">The PDQ quality when sent.</param>
/// <param name="Confidence">The member's confidence (0-100) when sent.</param>
/// <param name="ShareLevel">The TLP level the member shares it at.</param>
/// <param name="ExpiresAt">When the member wants its contribution to expire, when sent.</param>
/// <param name="VideoFrames">A VPDQ item's frames (null when none were sent).</param>
/// <param name="MediaItem">The batch-local label linking the hashes of one media item, or empty.</param>
public readonly record struct SubmissionItem(
    SignalKind Kind,
    string Value,
    string KeyId,
    IReadOnlyList<SignalCategory> Categories,
    string SharingGroup,
    uint? Quality,
    uint? Confidence,
    TlpLevel ShareLevel,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<VideoFrameInput>? VideoFrames,
    string MediaItem = "");
