using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>One hashed frame of a video: the reference vPDQ's <c>vpdqFeature</c>.</summary>
/// <param name="FrameNumber">0-based index of the frame in decoder output order (not a PTS).</param>
/// <param name="Hash">The frame's PDQ hash, computed at the frame's full size.</param>
/// <param name="Quality">PDQ quality, 0..100.</param>
/// <param name="Timestamp">
/// <c>FrameNumber / fps</c> in seconds, computed in <c>float</c> as the reference does (so that its
/// 3-decimal text form is the reference's).
/// </param>
public readonly record struct VpdqFrame(int FrameNumber, PdqHash Hash, int Quality, float Timestamp)
{
    /// <summary>The reference's timestamp for a frame: <c>(float)frameNumber / (float)fps</c>.</summary>
    public static float TimestampOf(int frameNumber, double framesPerSecond) =>
        (float)frameNumber / (float)framesPerSecond;
}
