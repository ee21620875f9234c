using Federation.Hub.Domain;

namespace Federation.Hub.Vpdq;

/// <summary>A video or cross-media look-up was asked for before this replica finished loading its video index.</summary>
public sealed class VideoIndexLoadingException()
    : ReplicaNotReadyException("This hub replica is still loading its video index; retry in a few seconds.");
