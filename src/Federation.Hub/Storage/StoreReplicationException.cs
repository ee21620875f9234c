namespace Federation.Hub.Storage;

/// <summary>
/// A write Redis applied but its replicas did not acknowledge in time (<see cref="AcknowledgedWrites"/>), so the hub does
/// not acknowledge it either: a store failure (<see cref="StoreFailures"/>), answered UNAVAILABLE with a retry hint. The
/// message names no key or value.
/// </summary>
public sealed class StoreReplicationException(string message, Exception? innerException = null) : Exception(message, innerException);
