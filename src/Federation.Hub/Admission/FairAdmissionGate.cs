using System.Collections.Concurrent;
using System.Diagnostics;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Admission;

/// <summary>
/// Fair sharing of one replica's capacity between members. Work-heavy calls execute in a bounded number of slots
/// (<see cref="FairnessOptions.MaxConcurrentCalls"/>); a call of n items takes ceil(n / quantum) slots, so a 1,000-item
/// batch holds ten where a 10-query look-up holds one. Each member has its own cap on the slots it holds, its own FIFO
/// queue and a cap on calls in progress (<see cref="TryReserve"/>); freed slots go to the waiting members in turn by
/// deficit round-robin over items, so a 1,000-item batch also waits about ten turns where a small call waits one.
/// </summary>
/// <remarks>
/// Why per replica and not in Redis: what a flood exhausts is this replica's cores, thread pool and its share of
/// Redis; a slot count follows that capacity wherever the replica runs, and needs no round trip. Invariant kept by
/// <see cref="Dispatch"/>: whenever a slot is free, every member still waiting is at its own cap or one member holds
/// the free slots for its turn (<c>holding</c>), so the fast path (enough free slots, nobody holding, member below its
/// cap, nothing of its own queued) never overtakes a waiting call it should not.
/// </remarks>
public sealed class FairAdmissionGate
{
    private static readonly TimeSpan MinRetryAfter = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, MemberShare> members = new(StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly Queue<MemberShare> ring = new();
    private readonly int quantum;
    private int free;

    // The member whose turn it is and whose oldest call needs more slots than are free: freed slots wait for it, so
    // small calls of others cannot starve a large one.
    private MemberShare? holding;

    // Exponentially weighted mean of how long a call holds its slot, for the retry-after hint of a refusal.
    private long meanHoldTicks = TimeSpan.FromMilliseconds(20).Ticks;

    public FairAdmissionGate(IOptions<FederationOptions> options)
        : this(
            options.Value.Fairness.EffectiveMaxConcurrentCalls(Environment.ProcessorCount, options.Value.Signals.MaxBatchSize),
            options.Value.Fairness.EffectiveMaxConcurrentCallsPerMember(Environment.ProcessorCount, options.Value.Signals.MaxBatchSize),
            options.Value.Fairness.MaxQueuedCallsPerMember,
            options.Value.Fairness.QuantumItems)
    {
    }

    internal FairAdmissionGate(int slots, int perMember, int queuedPerMember, int quantumItems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMember, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queuedPerMember);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantumItems, 1);
        Slots = slots;
        PerMember = perMember;
        QueuedPerMember = queuedPerMember;
        quantum = quantumItems;
        free = slots;
    }

    /// <summary>Slots: calls of up to one quantum of items that may execute at once.</summary>
    public int Slots { get; }

    /// <summary>Slots one member may hold at once.</summary>
    public int PerMember { get; }

    /// <summary>Calls of one member that may wait beyond those executing.</summary>
    public int QueuedPerMember { get; }

    /// <summary>Slots free now (diagnostics and tests).</summary>
    public int FreeSlots
    {
        get
        {
            lock (sync)
            {
                return free;
            }
        }
    }

    /// <summary>Calls of <paramref name="memberId"/> waiting for a slot now (diagnostics and tests).</summary>
    public int Waiting(string memberId)
    {
        if (!members.TryGetValue(memberId, out var share))
        {
            return 0;
        }

        lock (sync)
        {
            return share.Waiters.Count;
        }
    }

    /// <summary>The per-member counters (calls in progress, streams, connections) of <paramref name="memberId"/>.</summary>
    internal MemberShare ShareOf(string memberId) => members.GetOrAdd(memberId, static id => new MemberShare(id));

    /// <summary>
    /// Counts a work-heavy call of <paramref name="memberId"/> as in progress, unless it already has
    /// <see cref="PerMember"/> + <see cref="QueuedPerMember"/> in progress; the caller ends it with
    /// <see cref="Unreserve"/>. Taken before the request is read, so a refused flood costs no parsing.
    /// </summary>
    public bool TryReserve(string memberId, out TimeSpan retryAfter)
    {
        var share = ShareOf(memberId);
        var limit = PerMember + QueuedPerMember;
        var current = Volatile.Read(ref share.Reserved);
        while (current < limit)
        {
            var seen = Interlocked.CompareExchange(ref share.Reserved, current + 1, current);
            if (seen == current)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            current = seen;
        }

        // About the time the member's own queue needs to move up by one call.
        var estimate = TimeSpan.FromTicks(Volatile.Read(ref meanHoldTicks) * Math.Max(1, current) / PerMember);
        retryAfter = estimate < MinRetryAfter ? MinRetryAfter : estimate > MaxRetryAfter ? MaxRetryAfter : estimate;
        return false;
    }

    /// <summary>Ends a call counted by <see cref="TryReserve"/>.</summary>
    public void Unreserve(string memberId) => Interlocked.Decrement(ref ShareOf(memberId).Reserved);

    /// <summary>
    /// Waits for an execution slot for a call of <paramref name="cost"/> items (at least 1) and returns the lease that
    /// frees it. Cancelling <paramref name="cancellationToken"/> while waiting leaves the queue as if the call had
    /// never come (<see cref="OperationCanceledException"/>).
    /// </summary>
    public ValueTask<Lease> EnterAsync(string memberId, int cost, CancellationToken cancellationToken)
    {
        var share = ShareOf(memberId);
        cost = Math.Max(1, cost);
        var units = UnitsOf(cost);
        Waiter waiter;
        lock (sync)
        {
            if (holding is null && free >= units && share.Executing + units <= PerMember && share.Waiters.Count == 0)
            {
                free -= units;
                share.Executing += units;
                return new ValueTask<Lease>(new Lease(this, share, units, Stopwatch.GetTimestamp()));
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(this, share, cost, units);
            waiter.Node = share.Waiters.AddLast(waiter);
            if (!share.InRing)
            {
                share.InRing = true;
                ring.Enqueue(share);
            }

            // Slots may be free but too few for this call: on its turn it holds them (small calls cannot starve it).
            Dispatch();
        }

        // Registered outside the lock: a token cancelled meanwhile runs the callback at once, and it takes the lock.
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            if (waiter.Task.IsCompleted)
            {
                waiter.Registration.Unregister();
            }
        }

        return new ValueTask<Lease>(waiter.Task);
    }

    internal void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (sync)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            waiter.Share.Waiters.Remove(waiter.Node);
            waiter.Node = null;
            // The cancelled call may have been the one the free slots were held for.
            Dispatch();
        }

        waiter.TrySetCanceled(token);
    }

    // Slots a call of cost items takes: one per quantum, but never more than a member may hold (it would never run).
    private int UnitsOf(int cost) => (int)Math.Min(PerMember, ((long)cost + quantum - 1) / quantum);

    private void Release(MemberShare share, int units, long startedAt)
    {
        var held = Stopwatch.GetElapsedTime(startedAt).Ticks;
        lock (sync)
        {
            free += units;
            share.Executing -= units;
            meanHoldTicks += (held - meanHoldTicks) / 8;
            if (share.Waiters.Count > 0 && !share.InRing)
            {
                share.InRing = true;
                ring.Enqueue(share);
            }

            Dispatch();
        }
    }

    // Deficit round-robin, one grant per visit: a member's turn adds the quantum to its deficit, and its oldest call
    // runs when the deficit covers the call's items and enough slots are free; if they are not, the member holds the
    // free slots until they are. Members at their own cap leave the ring until one of their calls ends (Release puts
    // them back). Runs under the lock; grants complete their tasks, whose continuations run asynchronously (never
    // inside the lock). Each visit either removes a member from the ring or adds a quantum, so it ends.
    private void Dispatch()
    {
        if (holding is { } held)
        {
            if (held.Waiters.Count == 0 || held.Executing + held.Waiters.First!.Value.Units > PerMember)
            {
                holding = null;
                held.InRing = false;
                if (held.Waiters.Count == 0)
                {
                    held.Deficit = 0;
                }
            }
            else if (held.Waiters.First!.Value.Units <= free)
            {
                holding = null;
                Grant(held, held.Waiters.First!.Value);
                Requeue(held);
            }
            else
            {
                return;
            }
        }

        while (free > 0 && ring.Count > 0)
        {
            var share = ring.Dequeue();
            if (share.Waiters.Count == 0)
            {
                share.InRing = false;
                share.Deficit = 0;
                continue;
            }

            var head = share.Waiters.First!.Value;
            if (share.Executing + head.Units > PerMember)
            {
                share.InRing = false;
                continue;
            }

            share.Deficit += quantum;
            if (share.Deficit >= head.Cost)
            {
                if (head.Units > free)
                {
                    holding = share;
                    return;
                }

                Grant(share, head);
            }

            Requeue(share);
        }
    }

    private void Grant(MemberShare share, Waiter head)
    {
        share.Deficit = Math.Min(share.Deficit - head.Cost, quantum);
        share.Waiters.RemoveFirst();
        head.Node = null;
        share.Executing += head.Units;
        free -= head.Units;
        head.Registration.Unregister();
        head.TrySetResult(new Lease(this, share, head.Units, Stopwatch.GetTimestamp()));
    }

    private void Requeue(MemberShare share)
    {
        if (share.Waiters.Count == 0)
        {
            share.InRing = false;
            share.Deficit = 0;
        }
        else
        {
            ring.Enqueue(share);
        }
    }

    /// <summary>An execution slot; disposing it (once) frees the slot for the next member in turn.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly FairAdmissionGate? gate;
        private readonly MemberShare? share;
        private readonly int units;
        private readonly long startedAt;

        internal Lease(FairAdmissionGate gate, MemberShare share, int units, long startedAt)
        {
            this.gate = gate;
            this.share = share;
            this.units = units;
            this.startedAt = startedAt;
        }

        public void Dispose() => gate?.Release(share!, units, startedAt);
    }

    /// <summary>One member's state. Queue fields are guarded by the gate's lock; counters are atomic.</summary>
    internal sealed class MemberShare(string memberId)
    {
        public string MemberId { get; } = memberId;

        public readonly LinkedList<Waiter> Waiters = new();
        public int Executing;
        public long Deficit;
        public bool InRing;

        // Calls in progress (TryReserve), Subscribe streams and connections: see MemberCallLimits.
        public int Reserved;
        public int Streams;
        public readonly Dictionary<string, int> Connections = new(StringComparer.Ordinal);
    }

    internal sealed class Waiter(FairAdmissionGate gate, MemberShare share, int cost, int units) : TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public MemberShare Share { get; } = share;
        public int Cost { get; } = cost;
        public int Units { get; } = units;
        public LinkedListNode<Waiter>? Node;
        public CancellationTokenRegistration Registration;

        public void Cancel(CancellationToken token) => gate.Cancel(this, token);
    }
}
