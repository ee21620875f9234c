namespace Federation.Cli.Infrastructure;

/// <summary>A failure with a message for the user and the exit code scripts see.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>Parses an http(s) address given on the command line.</summary>
    public static Uri AbsoluteUri(string value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw Usage($"{option} must be an absolute http:// or https:// address, got '{value}'");
}
