using System.CommandLine;

namespace Federation.Cli.Infrastructure;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Profile = new("--profile", "-p")
    {
        Description = "Profile to use (default: $FEDCTL_PROFILE or 'default'); see 'fedctl login'",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "Output format: table (for people) or json (for scripts)",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}
