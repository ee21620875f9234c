using Federation.Hub.Domain;

namespace Federation.Hub.Vpdq;

/// <summary>
/// A video or cross-media look-up carried a consistency token this replica's video index did not reach within the
/// configured wait (the feed tail is behind, e.g. while Redis fails over).
/// </summary>
public sealed class VideoIndexBehindException(TimeSpan waited)
    : ReplicaNotReadyException($"This hub replica's video index has not yet applied the writes named by consistency_token (waited {waited.TotalMilliseconds:0} ms); retry after the retry-after-ms delay, on this or another replica.");
