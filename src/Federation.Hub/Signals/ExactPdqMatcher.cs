using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>Placeholder PDQ matcher: distance 0 only (the query hash itself). Replaced by the PDQ index work.</summary>
public sealed class ExactPdqMatcher : IPdqMatcher
{
    public IReadOnlyList<PdqCandidate> FindCandidates(in NormalizedSignal query, int maxDistance, int maxMatches) =>
        maxMatches > 0 ? [new PdqCandidate(query, 0)] : [];
}
