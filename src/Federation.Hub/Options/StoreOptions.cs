using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>How the hub's writes to Redis are acknowledged (docs/operations.md, "Redis replicas and failover").</summary>
public sealed class StoreOptions
{
    /// <summary>
    /// Replicas that must acknowledge a submitted batch's writes (Redis <c>WAIT</c> on the master of each partition)
    /// before the hub answers; when fewer do within <see cref="ReplicaAcknowledgementTimeout"/>, the batch fails with
    /// UNAVAILABLE and a retry hint instead of being acknowledged. 0 (the default) waits for none: Redis replicates
    /// asynchronously, and a master killed before its replica copied a write loses it after the failover. Set 1 with
    /// one replica per master (Redis Cluster, or a primary with a replica); every master then needs that many replicas
    /// up to accept submissions.
    /// </summary>
    [Range(0, 16)]
    public int ReplicaAcknowledgements { get; set; }

    /// <summary>
    /// Longest a batch waits for <see cref="ReplicaAcknowledgements"/> on one partition (a few milliseconds while the
    /// replicas are up); 1 ms to 10 s.
    /// </summary>
    public TimeSpan ReplicaAcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
