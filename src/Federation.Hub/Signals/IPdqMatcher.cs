using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>
/// The seam for PDQ near-matching. Lookup asks it for candidate hashes, then reads their records from Redis (in the
/// same per-partition round trip as exact queries) and applies state and visibility. <see cref="ExactPdqMatcher"/> is
/// registered until the in-memory multi-index (kept current from the feed) replaces it.
/// </summary>
public interface IPdqMatcher
{
    /// <summary>Stored PDQ hashes within <paramref name="maxDistance"/> bits of <paramref name="query"/>, nearest first, at most <paramref name="maxMatches"/>.</summary>
    IReadOnlyList<PdqCandidate> FindCandidates(in NormalizedSignal query, int maxDistance, int maxMatches);
}
