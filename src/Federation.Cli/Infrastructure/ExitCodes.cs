namespace Federation.Cli.Infrastructure;

/// <summary>fedctl's exit codes: stable, documented in docs/sdk.md, for scripts to branch on.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad command line or unreadable input (also the hub's INVALID_ARGUMENT).</summary>
    public const int Usage = 1;

    /// <summary>No usable credentials, credentials refused, UNAUTHENTICATED or PERMISSION_DENIED.</summary>
    public const int Auth = 2;

    /// <summary>The command ran, but some items were rejected (submit) or failed (lookup queries).</summary>
    public const int PartialRejects = 3;

    /// <summary>Hub or token endpoint unreachable, UNAVAILABLE or DEADLINE_EXCEEDED after retries.</summary>
    public const int Unavailable = 4;

    /// <summary>NOT_FOUND, or a lookup where no query matched.</summary>
    public const int NotFound = 5;

    /// <summary>ALREADY_EXISTS or FAILED_PRECONDITION (for example a feed cursor older than the retained feed).</summary>
    public const int Conflict = 6;

    /// <summary>RESOURCE_EXHAUSTED: rate limited; retry later.</summary>
    public const int RateLimited = 7;

    /// <summary>Any other failure (a bug or an INTERNAL error).</summary>
    public const int Internal = 10;
}
