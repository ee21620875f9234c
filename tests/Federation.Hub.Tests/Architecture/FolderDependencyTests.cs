using System.Text.RegularExpressions;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Architecture;

/// <summary>
/// Keeps the hub's structure (docs/decisions.md, "Only Storage/ names the Redis client" and "Interfaces belong to their
/// consumer") from eroding: read from the sources, since a folder is a namespace and its usings are its dependencies.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string HubSources = Path.Combine(RepositoryPaths.Root, "src", "Federation.Hub");

    [Fact]
    public void Only_storage_names_the_redis_client()
    {
        var outside = SourceFiles()
            .Where(f => f.Folder != "Storage" && f.Text.Contains("using StackExchange.Redis;", StringComparison.Ordinal))
            .Select(f => f.Path)
            .ToList();

        Assert.True(outside.Count == 0, "StackExchange.Redis is used outside Storage/ in: " + string.Join(", ", outside));
    }

    [Fact]
    public void No_two_folders_depend_on_each_other_directly_or_round_about()
    {
        var graph = SourceFiles()
            .GroupBy(f => f.Folder)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => HubUsing().Matches(f.Text).Select(m => m.Groups[1].Value)).Where(d => d != g.Key).ToHashSet());
        Assert.Contains("Storage", graph.Keys); // the sources were found and read

        var cycles = graph.Keys.Select(start => CycleThrough(graph, start)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, "folder dependency cycles: " + string.Join("; ", cycles));
    }

    [Fact]
    public void The_domain_and_storage_layers_never_name_grpc_and_the_contract_only_for_stored_update_kinds()
    {
        // The feed's stored update kind is the proto's UpdateKind number by choice (docs/decisions.md, "Submit and look-up in
        // domain types"); those two files read and write it. Nothing else below Services/ names the contract.
        string[] updateKindHolders = [Path.Combine("Storage", "FeedEntry.cs"), Path.Combine("Storage", "FeedStreamStore.cs")];
        var offenders = SourceFiles()
            .Where(f => f.Folder is "Domain" or "Storage")
            .Where(f => f.Text.Contains("using Grpc.Core;", StringComparison.Ordinal)
                || (f.Text.Contains("using Federation.Contracts.V1;", StringComparison.Ordinal) && !updateKindHolders.Contains(f.Path)))
            .Select(f => f.Path)
            .ToList();

        Assert.True(offenders.Count == 0, "contract or gRPC types below Services/ in: " + string.Join(", ", offenders));
    }

    /// <summary>A path from <paramref name="start"/> back to itself, or null; depth-first over the folder graph.</summary>
    private static string? CycleThrough(Dictionary<string, HashSet<string>> graph, string start)
    {
        var path = new List<string> { start };
        var seen = new HashSet<string>();
        return Visit(start);

        string? Visit(string folder)
        {
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
            {
                if (next == start)
                {
                    return string.Join(" -> ", path.Append(start));
                }

                if (seen.Add(next))
                {
                    path.Add(next);
                    if (Visit(next) is { } cycle)
                    {
                        return cycle;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return null;
        }
    }

    private static IEnumerable<(string Folder, string Path, string Text)> SourceFiles() =>
        Directory.EnumerateFiles(HubSources, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(HubSources, p))
            .Where(p => p.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) && !p.StartsWith("bin", StringComparison.Ordinal) && !p.StartsWith("obj", StringComparison.Ordinal))
            .Select(p => (p.Split(Path.DirectorySeparatorChar)[0], p, File.ReadAllText(Path.Combine(HubSources, p))));

    [GeneratedRegex(@"^using Federation\.Hub\.(\w+);", RegexOptions.Multiline)]
    private static partial Regex HubUsing();
}
