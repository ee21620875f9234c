using Federation.Cli.Infrastructure;
using Federation.Contracts.V1;

namespace Federation.Cli.Input;

/// <summary>TLP 2.0 names as fedctl reads and prints them: clear, green, amber, amber+strict, red.</summary>
public static class ShareLevelNames
{
    /// <summary>The TLP 2.0 name of a level ("" for unspecified).</summary>
    public static string Name(ShareLevel level) => level switch
    {
        ShareLevel.Clear => "clear",
        ShareLevel.Green => "green",
        ShareLevel.Amber => "amber",
        ShareLevel.AmberStrict => "amber+strict",
        ShareLevel.Red => "red",
        _ => "",
    };

    /// <summary>Parses clear, green, amber, amber+strict (or amber_strict, amber-strict), red; a "tlp:" prefix is allowed.</summary>
    public static ShareLevel Parse(string name)
    {
        var squashed = name.Trim().ToLowerInvariant();
        if (squashed.StartsWith("tlp:", StringComparison.Ordinal))
        {
            squashed = squashed[4..];
        }

        return squashed.Replace('_', '+').Replace('-', '+') switch
        {
            "clear" or "white" => ShareLevel.Clear,
            "green" => ShareLevel.Green,
            "amber" => ShareLevel.Amber,
            "amber+strict" => ShareLevel.AmberStrict,
            "red" => ShareLevel.Red,
            _ => throw CliException.Usage($"unknown share level '{name}' (use one of: clear, green, amber, amber+strict)"),
        };
    }
}
