using Federation.Core.Vpdq;

namespace Federation.Imaging;

/// <summary>The vPDQ of one video file: its hashed frames in frame order, and the stream facts they depend on.</summary>
/// <param name="Frames">One entry per hashed frame, in frame order.</param>
/// <param name="FramesPerSecond">The stream's <c>avg_frame_rate</c> (its <c>r_frame_rate</c> when that is 0/0).</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="FramesDecoded">Every frame the decoder output, hashed or not.</param>
public sealed record VpdqVideoHash(IReadOnlyList<VpdqFrame> Frames, double FramesPerSecond, int Width, int Height, int FramesDecoded);
