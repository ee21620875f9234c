using Federation.Core.Feed;
using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>
/// The seam for PDQ near-matching. Lookup asks it for candidate hashes, then reads their records from Redis (in the
/// same per-partition round trip as exact queries) and applies state and visibility. Implemented by
/// <c>Pdq/PdqMatchIndex</c>, the in-memory multi-index kept current from the feed (the implementation depends on Signals/ and
/// Feed/, never the reverse: docs/decisions.md, "Interfaces belong to their consumer").
/// </summary>
public interface IPdqMatcher
{
    /// <summary>
    /// Stored PDQ hashes within <paramref name="maxDistance"/> bits of <paramref name="query"/> held by a record the
    /// caller may see (coalition-wide or in one of <paramref name="callerGroups"/>), nearest first, at most
    /// <paramref name="maxMatches"/>. Filtering here, not after the limit, keeps invisible matches from crowding out visible ones.
    /// </summary>
    IReadOnlyList<PdqCandidate> FindCandidates(in NormalizedSignal query, int maxDistance, int maxMatches, IReadOnlyList<string> callerGroups);

    /// <summary>
    /// Makes a PDQ record this replica has just stored as active matchable at once, before Submit answers
    /// (read-your-writes on the acknowledging replica); the feed later brings the same fact to every replica.
    /// </summary>
    void Remember(in NormalizedSignal signal, string group);

    /// <summary>
    /// Returns once this replica's index has applied every feed entry up to <paramref name="positions"/> (one per
    /// partition, from a Submit's consistency token); throws a <see cref="Domain.ReplicaNotReadyException"/> when it has not
    /// within <paramref name="timeout"/>.
    /// </summary>
    Task WaitForAsync(IReadOnlyList<FeedPosition> positions, TimeSpan timeout, CancellationToken ct);
}
