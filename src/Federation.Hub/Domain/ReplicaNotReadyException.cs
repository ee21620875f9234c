namespace Federation.Hub.Domain;

/// <summary>
/// This replica cannot answer the call correctly yet (its PDQ index is loading, or has not caught up with a write the
/// caller must see), though another replica or a retry in a moment can: clients get UNAVAILABLE with a retry delay.
/// </summary>
public abstract class ReplicaNotReadyException(string message) : Exception(message);
