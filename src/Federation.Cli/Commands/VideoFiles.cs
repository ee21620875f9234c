namespace Federation.Cli.Commands;

/// <summary>Which files <c>fedctl hash</c> and <c>submit</c> treat as videos (vPDQ): by extension, as FFmpeg's common containers.</summary>
public static class VideoFiles
{
    /// <summary>The extensions taken as video, lowercase with the dot.</summary>
    public static IReadOnlyList<string> Extensions { get; } =
        [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".3gp", ".ts", ".mts", ".mpg", ".mpeg", ".ogv"];

    /// <summary>Whether <paramref name="path"/> has a video extension.</summary>
    public static bool IsVideo(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant(), StringComparer.Ordinal);
}
