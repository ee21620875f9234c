using Federation.Contracts.V1;

namespace Federation.Client;

/// <summary>The outcome of a whole (possibly chunked) submission.</summary>
public sealed class SubmissionResult
{
    internal SubmissionResult(IReadOnlyList<SubmitResult> results, int batches, int replayedBatches, IReadOnlyList<string> consistencyTokens)
    {
        Results = results;
        ConsistencyTokens = consistencyTokens;
        Batches = batches;
        ReplayedBatches = replayedBatches;
        foreach (var result in results)
        {
            switch (result.Outcome)
            {
                case SubmitOutcome.Created: Created++; break;
                case SubmitOutcome.Corroborated: Corroborated++; break;
                case SubmitOutcome.Unchanged: Unchanged++; break;
                default: Rejected++; break;
            }
        }
    }

    /// <summary>One result per submitted item, in submission order; <see cref="SubmitResult.Index"/> is the position in the whole submission.</summary>
    public IReadOnlyList<SubmitResult> Results { get; }

    /// <summary>Items that created a record.</summary>
    public int Created { get; }

    /// <summary>Items that corroborated an existing record.</summary>
    public int Corroborated { get; }

    /// <summary>Items that changed nothing (repeats).</summary>
    public int Unchanged { get; }

    /// <summary>Items the hub rejected; see each result's <see cref="SubmitResult.Error"/>.</summary>
    public int Rejected { get; }

    /// <summary>How many <c>Submit</c> calls the submission took.</summary>
    public int Batches { get; }

    /// <summary>Batches the hub answered from its idempotency record (an earlier attempt had already been applied).</summary>
    public int ReplayedBatches { get; }

    /// <summary>
    /// The hub's consistency tokens of the batches that changed something. Pass them to
    /// <see cref="FederationClient.LookupAsync(IEnumerable{LookupQuery}, LookupFilter, IReadOnlyList{string}, CancellationToken)"/> to PDQ-match these
    /// signals on any hub replica at once (the replica that acknowledged a batch matches it at once anyway).
    /// </summary>
    public IReadOnlyList<string> ConsistencyTokens { get; }

    /// <summary>The rejected items' results.</summary>
    public IEnumerable<SubmitResult> Rejections => Results.Where(r => r.Outcome == SubmitOutcome.Rejected);
}
