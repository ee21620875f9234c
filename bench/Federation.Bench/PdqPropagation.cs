using System.Diagnostics;
using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Core.Pdq;

namespace Federation.Bench;

/// <summary>
/// Submit → matchable by PDQ near-match on every replica: one member submits a PDQ hash through one
/// replica, and readers on every replica look up a near-duplicate (8 bits away) back to back until it
/// matches. Latency = from just before Submit to the moment the slowest replica answers with the match.
/// The path measured: submit script → feed stream → each replica's tail → its in-memory index.
/// </summary>
internal static class PdqPropagation
{
    private const int NearDuplicateBits = 8;
    private static readonly TimeSpan PerSampleLimit = TimeSpan.FromSeconds(2);

    public sealed record Result(int Replicas, LatencyStats Latency, int Late);

    public static async Task<Result> RunAsync(BenchMember submitter, IReadOnlyList<BenchMember> readers, int samples, int seed)
    {
        var random = new Random(seed);
        var latencies = new List<double>(samples);
        var late = 0;
        for (var i = 0; i < samples; i++)
        {
            var bytes = new byte[32];
            random.NextBytes(bytes);
            var stored = PdqHash.FromBytes(bytes);
            var query = stored;
            foreach (var bit in Enumerable.Range(0, 256).OrderBy(_ => random.Next()).Take(NearDuplicateBits))
            {
                query = query.WithBitFlipped(bit);
            }

            var started = Stopwatch.GetTimestamp();
            await submitter.Signals.SubmitAsync(new SubmitRequest
            {
                RequestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
                Items = { new SignalSubmission { Type = SignalType.Pdq, Value = stored.ToString(), Quality = 100, Categories = { Category.Csam } } },
            });
            var found = await Task.WhenAll(readers.Select(r => WaitForMatchAsync(r, query)));
            if (found.All(f => f))
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                late++;
            }
        }

        return new Result(readers.Count, LatencyStats.From(latencies), late);
    }

    private static async Task<bool> WaitForMatchAsync(BenchMember reader, PdqHash query)
    {
        var request = new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Pdq, Value = query.ToString(), MaxMatches = 1 } } };
        var deadline = Stopwatch.GetTimestamp() + (long)(PerSampleLimit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var response = await reader.Signals.LookupAsync(request);
            if (response.Results[0].Matches.Count > 0)
            {
                return true;
            }
        }

        return false;
    }
}
