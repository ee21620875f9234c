namespace Federation.Hub.Tests.Infrastructure;

/// <summary>Where the checkout is, for tests that read or regenerate files kept in the repository (docs, sources).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding <c>Federation.sln</c>, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Federation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Federation.sln not found above " + AppContext.BaseDirectory);
    }
}
