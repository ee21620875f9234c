namespace Federation.Cli.Infrastructure;

/// <summary>How results are printed on stdout.</summary>
public enum OutputFormat
{
    /// <summary>Tables and plain lines for people.</summary>
    Table,

    /// <summary>JSON for scripts (proto3 JSON mapping for hub messages, lowerCamelCase keys).</summary>
    Json,

    /// <summary>Comma-separated values with a header line, for spreadsheets (commands with tabular results: <c>admin report</c>).</summary>
    Csv,
}
