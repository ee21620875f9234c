using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>How the hub's writes to Redis are acknowledged (docs/operations.md, "Redis replicas and failover").</summary>
public sealed class StoreOptions
{
    /// <summary>
    /// Replicas that must acknowledge a submitted batch's writes (Redis <c>WAIT</c> on each master the batch wrote to)
    /// before the hub answers; when fewer do within <see cref="ReplicaAcknowledgementTimeout"/>, the batch fails with
    /// UNAVAILABLE and a retry hint instead of being acknowledged. 0 (the default) waits for none: Redis replicates
    /// asynchronously, and a master killed before its replica copied a write loses it after the failover. Set 1 with
    /// one replica per master (Redis Cluster, or a primary with a replica); every master then needs that many replicas
    /// up to accept submissions.
    /// </summary>
    [Range(0, 16)]
    public int ReplicaAcknowledgements { get; set; }

    /// <summary>
    /// Longest a batch waits for <see cref="ReplicaAcknowledgements"/> (on every master it wrote to at once; a fraction of a
    /// millisecond on a LAN while the replicas are up); 1 ms to 10 s. A master whose replicas fell short is then refused at
    /// once for a second instead of being waited on again by every batch.
    /// </summary>
    public TimeSpan ReplicaAcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
