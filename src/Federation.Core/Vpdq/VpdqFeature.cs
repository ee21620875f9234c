using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>One distinct frame of a video's vPDQ: a (hash, quality) pair, how many sampled frames had it and when it first appeared.</summary>
/// <param name="Hash">The frame's PDQ hash.</param>
/// <param name="Quality">Its PDQ quality, 0..100.</param>
/// <param name="Count">How many sampled frames of the video had this hash and quality (at least 1).</param>
/// <param name="FirstTimestampMs">The timestamp of the first such frame, in milliseconds.</param>
public readonly record struct VpdqFeature(PdqHash Hash, int Quality, int Count, uint FirstTimestampMs);
