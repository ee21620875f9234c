namespace Federation.Hub.Auth;

/// <summary>
/// A token request refused by the guessing throttle before its secret was checked; <see cref="TokenEndpointGuard"/>
/// answers it with HTTP 429 and Retry-After (OpenIddict has no status for it).
/// </summary>
public sealed class TokenRequestThrottledException(TimeSpan retryAfter)
    : Exception($"Too many token requests; retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.")
{
    /// <summary>How long until an attempt is admitted again.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
