using Federation.Contracts.V1;

namespace Federation.Client;

/// <summary>
/// Bounds on the matches <see cref="FederationClient.LookupAsync(IEnumerable{LookupQuery}, LookupFilter?, CancellationToken)"/>
/// returns, applied by the hub: the record's confidence and its TLP 2.0 share level (see <see cref="Signal.Confidence"/> and
/// <see cref="Signal.ShareLevel"/>).
/// </summary>
public sealed class LookupFilter
{
    /// <summary>Only matches whose confidence is at least this, 0-100; 0 (default) means no bound. A record without a stated confidence fails any bound above 0.</summary>
    public uint MinConfidence { get; init; }

    /// <summary>Only matches at most this restrictive (e.g. <see cref="ShareLevel.Green"/> leaves out AMBER); <see cref="ShareLevel.Unspecified"/> (default) means no bound.</summary>
    public ShareLevel MaxShareLevel { get; init; }
}
