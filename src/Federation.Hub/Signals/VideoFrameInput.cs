namespace Federation.Hub.Signals;

/// <summary>One frame of a video submission or query as sent, before <see cref="VpdqSubmissionRules"/> checks it.</summary>
/// <param name="PdqHash">The frame's PDQ hash as hex.</param>
/// <param name="Quality">Its PDQ quality (0-100).</param>
/// <param name="Count">How many sampled frames it stands for (0 counts as 1).</param>
/// <param name="TimestampMs">When it first appears in the video.</param>
public readonly record struct VideoFrameInput(string PdqHash, uint Quality, uint Count, uint TimestampMs);
