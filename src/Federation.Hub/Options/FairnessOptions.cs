using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>
/// Fair sharing of one replica's capacity between members (docs/signals.md, "Fair sharing"): so that one member
/// flooding the hub cannot slow another member's calls down. Every limit is per replica. 0 means "derive from the
/// machine" where a setting says so.
/// </summary>
public sealed class FairnessOptions
{
    /// <summary>
    /// Slots for the work-heavy calls (Submit, each SubmitStream batch, Lookup) executing at once on this replica; a
    /// call of n items takes ceil(n / <see cref="QuantumItems"/>) slots, so ten 10-query look-ups run in the slots of
    /// one 1,000-item batch. The rest wait in their member's queue and freed slots go to members in turn. 0: room for
    /// two full batches per processor (2 × processors × MaxBatchSize / QuantumItems: 40 on 2 cores), enough to keep
    /// the cores and Redis busy while bounding the work queued in front of any one call.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxConcurrentCalls { get; set; }

    /// <summary>
    /// Slots one member's calls may hold at once, so one member never holds every slot. 0: half of
    /// <see cref="MaxConcurrentCalls"/> (at least 1), so the other half stays free for the other members. (A cap in
    /// calls rather than slots was tried first: it serialized a member's small calls, and a publisher sending 100 small
    /// batches a second was refused on a loaded machine.) A call larger than this takes this many slots.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxConcurrentCallsPerMember { get; set; }

    /// <summary>
    /// Work-heavy calls of one member waiting for slots. The member's calls in progress are bounded by
    /// <see cref="MaxConcurrentCallsPerMember"/> + this; a call beyond that is refused at once, before its request is
    /// read, with RESOURCE_EXHAUSTED and a <c>retry-after-ms</c> trailer. A SubmitStream call counts as one call while
    /// it is open.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxQueuedCallsPerMember { get; set; } = 16;

    /// <summary>
    /// Items one member's calls in progress may hold on this replica (parsed requests waiting for slots or executing),
    /// estimated before a request is read from the items of its calls already parsed and the mean size of its recent
    /// calls. A call beyond it is refused like one over <see cref="MaxQueuedCallsPerMember"/>; a member with no call in
    /// progress is always admitted. 0: what the member's slots execute at once plus two full batches
    /// (<see cref="MaxConcurrentCallsPerMember"/> × <see cref="QuantumItems"/> + 2 × MaxBatchSize: 4,000 on 2 cores, so four
    /// 1,000-item calls in flight fit). The
    /// call count alone let one bulk loader hold 36 parsed 1,000-item batches (tens of MB) in the replica's memory
    /// (docs/quotas.md).
    /// </summary>
    [Range(0, 100_000_000)]
    public int MaxItemsInProgressPerMember { get; set; }

    /// <summary>
    /// Deficit round-robin quantum in items: a member waiting with a batch of N items gets a slot after about
    /// N / quantum turns, so a 1,000-item batch costs ten 100-item ones. At least a tenth of the largest batch, so
    /// granting a slot takes at most ~10 rounds of the queue.
    /// </summary>
    [Range(1, 100_000)]
    public int QuantumItems { get; set; } = 100;

    /// <summary>
    /// While two or more members are active on this replica, the share of time a heavy member (one using over 1.5 times
    /// the fair share of the slots' time) may execute calls: it runs one call at a time, pauses after each for
    /// (1 - this) / this of the call's duration, and keeps few, short Redis calls in flight
    /// (<see cref="ContendedScriptCallsInFlight"/>, <see cref="ContendedItemsPerScriptCall"/>). A replica saturated by
    /// one member's admitted work leaves every other member's call waiting for the cores, the thread pool and Redis
    /// behind it; the pause is the headroom that keeps their latency near what it is without the flood (docs/quotas.md).
    /// While paced it may also have only two calls in progress (the rest are refused before they are read). 1 turns
    /// pacing off (work-conserving: admission and round-robin only). A member alone, or members of similar weight, are
    /// never paced.
    /// </summary>
    [Range(0.01, 1.0)]
    public double ContendedDutyCycle { get; set; } = 0.3;

    /// <summary>
    /// Script calls a heavy member's batch keeps in flight while it is paced (see <see cref="ContendedDutyCycle"/>):
    /// Redis runs scripts one at a time, on one connection in order, so another member's command waits behind at most
    /// this many of the heavy member's calls instead of its whole batch.
    /// </summary>
    [Range(1, 1024)]
    public int ContendedScriptCallsInFlight { get; set; } = 1;

    /// <summary>
    /// Items per script call of a heavy member's batch while it is paced (at most <c>Signals:MaxItemsPerScriptCall</c>;
    /// 0 = that). Shorter calls make what another member's command waits behind shorter, at the cost of more round
    /// trips for the heavy member only.
    /// </summary>
    [Range(0, 100_000)]
    public int ContendedItemsPerScriptCall { get; set; } = 32;

    /// <summary>Subscribe streams one member may hold open on this replica at once; 0 disables the limit.</summary>
    [Range(0, 1_000_000)]
    public int MaxStreamsPerMember { get; set; } = 100;

    /// <summary>
    /// Distinct connections (HTTP/2) on which one member has calls in progress on this replica at once; 0 disables
    /// the limit. One gRPC channel is one connection (more only beyond <see cref="MaxStreamsPerConnection"/> calls).
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConnectionsPerMember { get; set; } = 16;

    /// <summary>
    /// Kestrel's HTTP/2 limit on concurrent streams (calls) per connection (Kestrel's default is 100); a client that
    /// needs more opens further connections, which <see cref="MaxConnectionsPerMember"/> bounds.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary><see cref="MaxConcurrentCalls"/> with 0 resolved for <paramref name="processors"/> cores and the largest batch.</summary>
    public int EffectiveMaxConcurrentCalls(int processors, int maxBatchSize) =>
        MaxConcurrentCalls > 0 ? MaxConcurrentCalls : 2 * Math.Max(1, processors) * Math.Max(1, (maxBatchSize + QuantumItems - 1) / QuantumItems);

    /// <summary><see cref="MaxItemsInProgressPerMember"/> with 0 resolved.</summary>
    public int EffectiveMaxItemsInProgressPerMember(int processors, int maxBatchSize) =>
        MaxItemsInProgressPerMember > 0 ? MaxItemsInProgressPerMember : (EffectiveMaxConcurrentCallsPerMember(processors, maxBatchSize) * QuantumItems) + (2 * maxBatchSize);

    /// <summary><see cref="MaxConcurrentCallsPerMember"/> with 0 resolved.</summary>
    public int EffectiveMaxConcurrentCallsPerMember(int processors, int maxBatchSize) =>
        MaxConcurrentCallsPerMember > 0 ? MaxConcurrentCallsPerMember : Math.Max(1, EffectiveMaxConcurrentCalls(processors, maxBatchSize) / 2);
}
