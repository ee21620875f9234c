namespace Federation.Imaging;

/// <summary>How far <see cref="VideoVpdqHasher"/> has got through a video.</summary>
/// <param name="FramesDecoded">Frames decoded so far.</param>
/// <param name="FramesHashed">Frames hashed so far.</param>
/// <param name="Position">Video time reached (frames decoded / fps).</param>
/// <param name="Duration">The container's duration, when it states one.</param>
public readonly record struct VideoHashProgress(int FramesDecoded, int FramesHashed, TimeSpan Position, TimeSpan? Duration);
