using Federation.Hub.Domain;

namespace Federation.Hub.Pdq;

/// <summary>
/// A look-up carried a consistency token this replica's PDQ index did not reach within the configured wait (the feed
/// tail is behind, e.g. while Redis fails over).
/// </summary>
public sealed class PdqIndexBehindException(TimeSpan waited)
    : ReplicaNotReadyException($"This hub replica's PDQ index has not yet applied the writes named by consistency_token (waited {waited.TotalMilliseconds:0} ms); retry after the retry-after-ms delay, on this or another replica.");
