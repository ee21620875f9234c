using System.Globalization;
using Grpc.Core;

namespace Federation.Client.Internal;

/// <summary>How long a stream waits before it reconnects: the hub's own hint when it gave one, else backoff with jitter.</summary>
internal static class RetryDelays
{
    /// <summary>The trailer in which the hub says how long to wait (UNAVAILABLE, RESOURCE_EXHAUSTED).</summary>
    public const string RetryAfterTrailer = "retry-after-ms";

    /// <summary>The delay the hub asked for in the <c>retry-after-ms</c> trailer of <paramref name="failure"/>, if it did.</summary>
    public static TimeSpan? HintOf(RpcException failure) =>
        failure.Trailers.GetValue(RetryAfterTrailer) is { } hint &&
        long.TryParse(hint, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : null;

    /// <summary>
    /// The delay before attempt <paramref name="failures"/> + 1: the <c>retry-after-ms</c> trailer of
    /// <paramref name="failure"/> when present (capped at <see cref="FederationClientOptions.RetryMaxDelay"/>), else full
    /// jitter, uniform in [base/2, min(max, base × 2^(n-1))], so reconnecting clients spread out.
    /// </summary>
    public static TimeSpan Next(FederationClientOptions options, int failures, Exception? failure)
    {
        if (failure is RpcException rpc && HintOf(rpc) is { } hint)
        {
            return hint < options.RetryMaxDelay ? hint : options.RetryMaxDelay;
        }

        var ceiling = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        var floor = options.RetryBaseDelay.TotalMilliseconds / 2;
        return TimeSpan.FromMilliseconds(floor + (Random.Shared.NextDouble() * Math.Max(0, ceiling - floor)));
    }
}
