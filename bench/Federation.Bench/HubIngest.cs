using Federation.Contracts.V1;

namespace Federation.Bench;

/// <summary>
/// Ingest through the hub: N members, each on its own connection with its own token, submit batches over real gRPC
/// as fast as the hub answers (one batch in flight per member). Requests are built before the clock starts.
/// A duplicate mix re-submits, in each batch, a run of values the same member submitted earlier (UNCHANGED: dedup
/// only, no feed entry) next to new ones.
/// </summary>
internal static class HubIngest
{
    public sealed record Result(
        string Scenario, int Members, int BatchSize, double DuplicateShare, long Signals, long Created, double Seconds,
        double SignalsPerSecond, double BatchP50Ms, double BatchP99Ms, double AllocatedBytesPerSignal);

    /// <summary>Values each member has submitted, the pool its duplicates come from.</summary>
    public sealed class History
    {
        public List<string> Values { get; } = [];
    }

    public static async Task<Result> RunAsync(
        IReadOnlyList<BenchMember> members, IReadOnlyList<History> histories, int batchSize, double duplicateShare, int maxSignals, TimeSpan duration, int seed)
    {
        var perMember = Math.Max(1, maxSignals / members.Count / batchSize);
        var requests = new SubmitRequest[members.Count][];
        for (var m = 0; m < members.Count; m++)
        {
            requests[m] = Build(histories[m], batchSize, duplicateShare, perMember, seed + m);
        }

        var signals = new long[members.Count];
        var created = new long[members.Count];
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var (batchStats, elapsed) = await ClosedLoopWorkers.RunAsync(
            requests,
            duration,
            (m, request) => members[m].Signals.SubmitAsync(request).ResponseAsync,
            (m, request, response) =>
            {
                if (response.Summary.Rejected > 0)
                {
                    throw new InvalidOperationException($"the hub rejected {response.Summary.Rejected} items: {response.Results.First(r => r.Error is not null).Error}");
                }

                signals[m] += request.Items.Count;
                created[m] += response.Summary.Created;
                for (var i = (int)(batchSize * duplicateShare); i < request.Items.Count; i++)
                {
                    histories[m].Values.Add(request.Items[i].Value);
                }
            });
        var total = signals.Sum();
        var name = $"hub, {members.Count} members, batch {batchSize:N0}, {(duplicateShare == 0 ? "unique" : $"{duplicateShare:P0} duplicates")}";
        return new Result(name, members.Count, batchSize, duplicateShare, total, created.Sum(), elapsed.TotalSeconds,
            total / elapsed.TotalSeconds, batchStats.P50Ms, batchStats.P99Ms,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Math.Max(1, total));
    }

    private static SubmitRequest[] Build(History history, int batchSize, double duplicateShare, int count, int seed)
    {
        var signals = new BenchSignals(seed);
        var random = new Random(seed);
        var duplicates = (int)(batchSize * duplicateShare);
        if (duplicates > 0 && history.Values.Count < duplicates)
        {
            throw new InvalidOperationException("a duplicate mix needs values submitted earlier; run a unique scenario first");
        }

        var requests = new SubmitRequest[count];
        for (var r = 0; r < count; r++)
        {
            var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N") };
            if (duplicates > 0)
            {
                // A contiguous run of earlier values: distinct within the batch, as the hub requires.
                var start = random.Next(history.Values.Count - duplicates + 1);
                for (var i = 0; i < duplicates; i++)
                {
                    request.Items.Add(BenchSignals.Submission(history.Values[start + i]));
                }
            }

            for (var i = duplicates; i < batchSize; i++)
            {
                request.Items.Add(BenchSignals.Submission(signals.NextValue()));
            }

            requests[r] = request;
        }

        return requests;
    }
}
