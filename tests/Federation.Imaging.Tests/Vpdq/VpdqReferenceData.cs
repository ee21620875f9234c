namespace Federation.Imaging.Tests.Vpdq;

/// <summary>Locates the shared vPDQ reference data: <c>&lt;repo&gt;/../shared/testdata/vpdq</c>.</summary>
internal static class VpdqReferenceData
{
    public static string? Directory { get; } = Locate();

    public static string SkipReason =>
        $"vPDQ reference data not found: no 'shared/testdata/vpdq' in any parent of {AppContext.BaseDirectory} (expected beside the repository root).";

    /// <summary>(video file, reference text file, frames hashed) for every row of reference.csv.</summary>
    public static IReadOnlyList<(string Video, string Reference, int FramesHashed)> Rows()
    {
        var directory = Directory ?? throw new InvalidOperationException(SkipReason);
        return File.ReadAllLines(Path.Combine(directory, "reference.csv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(','))
            .Select(parts => (Path.Combine(directory, parts[0]), Path.Combine(directory, parts[2]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "vpdq");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when the vPDQ reference data or ffmpeg is absent.</summary>
public sealed class VpdqReferenceFactAttribute : FactAttribute
{
    public VpdqReferenceFactAttribute([System.Runtime.CompilerServices.CallerFilePath] string? sourceFilePath = null, [System.Runtime.CompilerServices.CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (VpdqReferenceData.Directory is null)
        {
            Skip = VpdqReferenceData.SkipReason;
        }
    }
}
