namespace Federation.Core.Tests.Pdq;

/// <summary>Locates the shared PDQ reference data: <c>&lt;repo&gt;/../shared/testdata/pdq</c>.</summary>
internal static class ReferenceTestData
{
    public static string? Directory { get; } = Locate();

    public static string SkipReason =>
        $"PDQ reference data not found: no 'shared/testdata/pdq' in any parent of {AppContext.BaseDirectory} (expected beside the repository root).";

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "pdq");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when the shared PDQ reference data is absent.</summary>
public sealed class ReferenceDataFactAttribute : FactAttribute
{
    public ReferenceDataFactAttribute([System.Runtime.CompilerServices.CallerFilePath] string? sourceFilePath = null, [System.Runtime.CompilerServices.CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (ReferenceTestData.Directory is null)
        {
            Skip = ReferenceTestData.SkipReason;
        }
    }
}
