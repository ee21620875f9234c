using Federation.Contracts.V1;

namespace Federation.Bench;

/// <summary>
/// Exact lookups over real gRPC: batches of 100 SHA-256 queries of stored values (every query matches), one batch
/// in flight per member.
/// </summary>
internal static class ExactLookup
{
    public const int BatchSize = 100;

    public sealed record Result(int Members, long Lookups, double Seconds, double LookupsPerSecond, double BatchP50Ms, double BatchP99Ms);

    public static async Task<Result> RunAsync(IReadOnlyList<BenchMember> members, IReadOnlyList<string> stored, int maxLookups, TimeSpan duration, int seed)
    {
        var perMember = Math.Max(1, maxLookups / members.Count / BatchSize);
        var random = new Random(seed);
        var requests = new LookupRequest[members.Count][];
        for (var m = 0; m < members.Count; m++)
        {
            requests[m] = new LookupRequest[perMember];
            for (var r = 0; r < perMember; r++)
            {
                var request = new LookupRequest();
                for (var i = 0; i < BatchSize; i++)
                {
                    request.Queries.Add(new LookupQuery { Type = SignalType.Sha256, Value = stored[random.Next(stored.Count)] });
                }

                requests[m][r] = request;
            }
        }

        var lookups = new long[members.Count];
        var (stats, elapsed) = await ClosedLoopWorkers.RunAsync(
            requests,
            duration,
            (m, request) => members[m].Signals.LookupAsync(request).ResponseAsync,
            (m, request, response) =>
            {
                if (response.Results.Any(r => r.Matches.Count == 0))
                {
                    throw new InvalidOperationException("a lookup of a stored value found nothing");
                }

                lookups[m] += request.Queries.Count;
            });
        var total = lookups.Sum();
        return new Result(members.Count, total, elapsed.TotalSeconds, total / elapsed.TotalSeconds, stats.P50Ms, stats.P99Ms);
    }
}
