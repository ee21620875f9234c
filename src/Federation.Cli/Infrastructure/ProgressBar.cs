using Spectre.Console;

namespace Federation.Cli.Infrastructure;

/// <summary>
/// A progress bar on standard error for long commands (submit, hash of many files): only when standard error is a
/// terminal and the output is not JSON, so pipes and scripts see nothing but the result on standard output.
/// </summary>
public static class ProgressBar
{
    /// <summary>Runs <paramref name="work"/>, which reports each step done through the callback it is given.</summary>
    public static async Task RunAsync(CliContext context, string label, int total, Func<Action<int>, Task> work)
    {
        if (context.Json || Console.IsErrorRedirected || total <= 1)
        {
            await work(_ => { });
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(label, maxValue: total);
                await work(n => task.Increment(n));
            });
    }
}
