namespace Federation.Cli.Infrastructure;

/// <summary>A failure with a message for the user and the exit code scripts see.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
