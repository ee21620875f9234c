namespace Federation.Hub.Signals;

/// <summary>The member's submit token bucket holds too few tokens for the batch; retry after <see cref="RetryAfter"/>.</summary>
public sealed class SubmitRateLimitedException(TimeSpan retryAfter)
    : Exception($"Submit rate limit reached; retry after {(long)Math.Ceiling(retryAfter.TotalMilliseconds)} ms.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
