using Federation.Contracts.V1;
using Federation.Hub.Tests.Feed;

namespace Federation.Hub.Tests.Faults;

/// <summary>The batches of a fault test's load, and the check that every acknowledged signal is stored exactly once.</summary>
public static class IngestLedger
{
    /// <summary><paramref name="count"/> batches of <paramref name="size"/> fresh SHA-256 signals, each with its own request id.</summary>
    public static SubmitStreamRequest[] Batches(string prefix, int count, int size) =>
        Enumerable.Range(0, count).Select(b => new SubmitStreamRequest
        {
            RequestId = $"{prefix}-{b:D4}",
            Items = { Enumerable.Range(0, size).Select(_ => FeedTestMember.Sha(FeedTestMember.RandomSha256())) },
        }).ToArray();

    /// <summary>The signal values of the batches whose request ids were acknowledged.</summary>
    public static IReadOnlyCollection<string> Acknowledged(IEnumerable<SubmitStreamRequest> batches, IEnumerable<string> acknowledgedRequestIds)
    {
        var acknowledged = acknowledgedRequestIds.ToHashSet(StringComparer.Ordinal);
        return batches.Where(b => acknowledged.Contains(b.RequestId)).SelectMany(b => b.Items.Select(i => i.Value)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Looks every value up; returns how many are missing (lost) and how many are stored with a corroboration count
    /// other than one (counted twice by a resubmission: the load has one contributor).
    /// </summary>
    public static async Task<(int Lost, int MiscountedCorroboration)> VerifyAsync(SignalService.SignalServiceClient client, IReadOnlyCollection<string> values)
    {
        var lost = 0;
        var miscounted = 0;
        foreach (var chunk in values.Chunk(1000))
        {
            var response = await client.LookupAsync(new LookupRequest
            {
                Queries = { chunk.Select(v => new LookupQuery { Type = SignalType.Sha256, Value = v }) },
            });
            foreach (var result in response.Results)
            {
                if (result.Matches.Count == 0)
                {
                    lost++;
                }
                else if (result.Matches[0].Signal.CorroborationCount != 1)
                {
                    miscounted++;
                }
            }
        }

        return (lost, miscounted);
    }
}
