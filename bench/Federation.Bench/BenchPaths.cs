namespace Federation.Bench;

/// <summary>Where benchmark results go: <c>bench/results/</c> of the repository the bench runs from.</summary>
internal static class BenchPaths
{
    public static string ResultsFile(string name)
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Federation.sln")))
            {
                var results = Path.Combine(dir.FullName, "bench", "results");
                Directory.CreateDirectory(results);
                return Path.Combine(results, name);
            }
        }

        return Path.Combine(Environment.CurrentDirectory, name);
    }

    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
