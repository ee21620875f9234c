using System.CommandLine;
using Federation.Cli.Commands;

namespace Federation.Cli.Infrastructure;

/// <summary>The command tree; this is fedctl's table of contents.</summary>
public static class FedctlApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("fedctl: the Federation hub's command line for member companies and coalition administrators. " +
            "Exit codes: 0 ok, 1 usage, 2 auth, 3 partial rejects, 4 unavailable, 5 not found, 6 conflict, 7 rate limited, 10 internal.")
        {
            LoginCommand.Create(),
            SubmitCommand.Create(),
            HashCommand.Create(),
            LookupCommand.Create(),
            TailCommand.Create(),
            OpinionCommand.Create(),
            AppealCommands.Action(),
            AppealCommands.Notices(),
            RetractCommand.Create(),
            AdminCommand.Create(),
        };
        root.Add(GlobalOptions.Profile);
        root.Add(GlobalOptions.Output);
        return root;
    }

    public static Task<int> RunAsync(string[] args) =>
        BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
