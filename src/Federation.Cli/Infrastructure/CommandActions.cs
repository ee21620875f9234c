using System.CommandLine;

namespace Federation.Cli.Infrastructure;

/// <summary>Binds a command to an action that reports failures as one stderr line and an exit code.</summary>
public static class CommandActions
{
    public static Command WithAction(this Command command, Func<CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CliContext(parseResult);
            try
            {
                return await action(context, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            catch (Exception e)
            {
                var (exitCode, kind, message) = ErrorMapping.Map(e);
                await Console.Error.WriteLineAsync($"fedctl: error: {kind}: {message}");
                return exitCode;
            }
        });
        return command;
    }
}
