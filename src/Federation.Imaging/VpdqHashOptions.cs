namespace Federation.Imaging;

/// <summary>How <see cref="VideoVpdqHasher"/> samples and hashes a video.</summary>
/// <remarks>The defaults are the reference <c>vpdq-hash-video</c>'s: every frame, full size, one thread per core.</remarks>
public sealed record VpdqHashOptions
{
    /// <summary>
    /// Seconds between hashed frames (the reference's <c>-r</c>): frames whose number is a multiple of
    /// <c>int(SecondsPerHash x fps)</c> (at least 1) are hashed. 0, the default, hashes every frame.
    /// </summary>
    public double SecondsPerHash { get; init; }

    /// <summary>Threads that hash frames; 0, the default, means one per core. The output does not depend on it.</summary>
    public int HashingThreads { get; init; }

    /// <summary>Threads FFmpeg may decode with; 0, the default, lets FFmpeg choose. The frames do not depend on it.</summary>
    public int DecodingThreads { get; init; }

    /// <summary>The <c>ffmpeg</c> program; by default the one on <c>PATH</c> (<c>scripts/ensure-ffmpeg.sh</c> installs it).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>The <c>ffprobe</c> program; by default the one on <c>PATH</c>.</summary>
    public string FfprobePath { get; init; } = "ffprobe";
}
