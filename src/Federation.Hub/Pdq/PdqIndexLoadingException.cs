using Federation.Hub.Domain;

namespace Federation.Hub.Pdq;

/// <summary>A PDQ near-match was asked for before this replica finished loading its index.</summary>
public sealed class PdqIndexLoadingException(long scanned)
    : ReplicaNotReadyException($"This hub replica is still loading its PDQ index ({scanned} records scanned); retry in a few seconds.")
{
    /// <summary>Records scanned so far.</summary>
    public long Scanned { get; } = scanned;
}
