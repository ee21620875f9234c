using Federation.Hub.Domain;

namespace Federation.Hub.Taxii;

/// <summary>This replica's TAXII catalog is still loading from Redis, or has not applied what Redis already holds.</summary>
public sealed class TaxiiCatalogLoadingException(string message) : ReplicaNotReadyException(message);
