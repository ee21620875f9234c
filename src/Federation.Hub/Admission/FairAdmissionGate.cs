using System.Collections.Concurrent;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Admission;

/// <summary>
/// Fair sharing of one replica's capacity between members. Work-heavy calls execute in a bounded number of slots
/// (<see cref="FairnessOptions.MaxConcurrentCalls"/>); a call of n items takes ceil(n / quantum) slots, so a 1,000-item
/// batch holds ten where a 10-query look-up holds one. Each member has its own cap on the slots it holds, its own FIFO
/// queue and a cap on calls in progress (<see cref="TryReserve(string, out TimeSpan)"/>); freed slots go to the waiting members in turn by
/// deficit round-robin over items, so a 1,000-item batch also waits about ten turns where a small call waits one.
/// While two or more members are active, a member using well over its fair share of the slots' time ("heavy") yields:
/// one call at a time, and after each call a pause so that it executes at most <see cref="FairnessOptions.ContendedDutyCycle"/>
/// of the time (<see cref="Lease.Yield"/> also tells it to keep fewer Redis calls in flight). The others' calls then find
/// the cores, the thread pool and Redis with headroom instead of saturated by the heavy member's admitted work.
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
    /// <summary>The shortest retry hint a refusal carries.</summary>
    internal static readonly TimeSpan MinRetryAfter = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    // A member is active while it has calls in progress and for this long after its last one: longer than the gaps of a
    // member sending a call every few hundred milliseconds, short enough that a finished member stops holding others back.
    private static readonly TimeSpan ActiveWindow = TimeSpan.FromSeconds(1);

    // Time constant of the slot-time usage each member is judged by: a flood is recognised within about a second.
    private static readonly TimeSpan UsageTimeConstant = TimeSpan.FromSeconds(1);

    // A member is heavy when its usage exceeds the fair share (total / active members) by this factor: members of
    // similar weight (eight equal bulk loaders) never pace each other, and the work stays work-conserving among them.
    private const double HeavyFactor = 1.5;

    /// <summary>
    /// Calls in progress a paced member may have: the one executing and one ready for when its pause ends. Its further
    /// calls are refused before their requests are read instead of waiting parsed in its queue, where every garbage
    /// collection would have to copy them (a flooder's queue of 36 parsed 1,000-item batches made the collections
    /// that every other member's calls wait through several times longer).
    /// </summary>
    public const int PacedCallsInProgress = 2;

    private readonly ConcurrentDictionary<string, MemberShare> members = new(StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly Queue<MemberShare> ring = new();
    private readonly List<MemberShare> active = [];
    private readonly int quantum;
    private readonly double dutyCycle;
    private readonly TimeProvider clock;
    private int free;

    // Re-dispatches when the earliest pause of a paced member ends (created on first use).
    private ITimer? resumeTimer;
    private long resumeAt = long.MaxValue;

    // The member whose turn it is and whose oldest call needs more slots than are free: freed slots wait for it, so
    // small calls of others cannot starve a large one.
    private MemberShare? holding;

    // Exponentially weighted mean of how long a call holds its slot, for the retry-after hint of a refusal.
    private long meanHoldTicks = TimeSpan.FromMilliseconds(20).Ticks;

    public FairAdmissionGate(IOptions<FederationOptions> options, TimeProvider clock)
        : this(
            options.Value.Fairness.EffectiveMaxConcurrentCalls(Environment.ProcessorCount, options.Value.Signals.MaxBatchSize),
            options.Value.Fairness.EffectiveMaxConcurrentCallsPerMember(Environment.ProcessorCount, options.Value.Signals.MaxBatchSize),
            options.Value.Fairness.MaxQueuedCallsPerMember,
            options.Value.Fairness.QuantumItems,
            options.Value.Fairness.ContendedDutyCycle,
            clock,
            options.Value.Fairness.EffectiveMaxItemsInProgressPerMember(Environment.ProcessorCount, options.Value.Signals.MaxBatchSize))
    {
    }

    internal FairAdmissionGate(int slots, int perMember, int queuedPerMember, int quantumItems, double dutyCycle = 1, TimeProvider? clock = null, int itemsInProgressPerMember = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemsInProgressPerMember, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dutyCycle, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dutyCycle, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMember, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queuedPerMember);
        ArgumentOutOfRangeException.ThrowIfLessThan(quantumItems, 1);
        Slots = slots;
        PerMember = perMember;
        QueuedPerMember = queuedPerMember;
        ItemsInProgressPerMember = itemsInProgressPerMember;
        quantum = quantumItems;
        this.dutyCycle = dutyCycle;
        this.clock = clock ?? TimeProvider.System;
        free = slots;
    }

    /// <summary>Slots: calls of up to one quantum of items that may execute at once.</summary>
    public int Slots { get; }

    /// <summary>Slots one member may hold at once.</summary>
    public int PerMember { get; }

    /// <summary>Calls of one member that may wait beyond those executing.</summary>
    public int QueuedPerMember { get; }

    /// <summary>Items one member's calls in progress may hold (estimated before a request is read; see TryReserve).</summary>
    public int ItemsInProgressPerMember { get; }

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
    public bool TryReserve(string memberId, out TimeSpan retryAfter) => TryReserve(memberId, out retryAfter, out _, out _);

    /// <summary>
    /// <see cref="TryReserve(string, out TimeSpan)"/>, and for a refusal also the limit it met and how long to hold it
    /// before answering: about the time the member's queued calls need to run (its recent interval between completed
    /// calls times the calls it has waiting), at most <paramref name="maxHold"/>.
    /// </summary>
    public bool TryReserve(string memberId, out TimeSpan retryAfter, out TimeSpan hold, out ReserveLimit limited, TimeSpan maxHold = default)
    {
        hold = TimeSpan.Zero;
        var share = ShareOf(memberId);
        var paced = IsPaced(share);
        // The refusal names the limit that binds: the configured one when it is no higher than the paced one.
        var configured = PerMember + QueuedPerMember;
        var limit = paced ? Math.Min(PacedCallsInProgress, configured) : configured;
        var current = Volatile.Read(ref share.Reserved);
        limited = paced && PacedCallsInProgress < configured ? ReserveLimit.Paced : ReserveLimit.Calls;
        while (current < limit)
        {
            if (current > 0 && ItemsInProgress(share, current) > ItemsInProgressPerMember)
            {
                limited = ReserveLimit.Items;
                break;
            }

            var seen = Interlocked.CompareExchange(ref share.Reserved, current + 1, current);
            if (seen == current)
            {
                retryAfter = TimeSpan.Zero;
                limited = ReserveLimit.None;
                return true;
            }

            current = seen;
        }

        // About the time the member's own queue needs to move up by one call: from the mean hold of a slot, or, when the
        // member has been backlogged (paced, or its calls long), the interval at which its calls have been completing.
        var interval = Volatile.Read(ref share.MeanIntervalTicks);
        var estimate = TimeSpan.FromTicks(Math.Max(interval, Volatile.Read(ref meanHoldTicks) * Math.Max(1, current) / PerMember));
        retryAfter = estimate < MinRetryAfter ? MinRetryAfter : estimate > MaxRetryAfter ? MaxRetryAfter : estimate;
        if (paced && limited != ReserveLimit.Items)
        {
            // Paced: its queue is one call deep, so a hold of its length would let a client that ignores hints send
            // a refused body every interval from each of its connections' calls. Held the longest instead; a client
            // honouring the hint waits as long either way.
            hold = maxHold;
            var after = hold + TimeSpan.FromTicks(interval);
            retryAfter = after > retryAfter ? after : retryAfter;
            return false;
        }

        var drain = TimeSpan.FromTicks(interval * Math.Max(1, Volatile.Read(ref share.WaitingCount)));
        hold = drain < maxHold ? drain : maxHold;
        return false;
    }

    // Items the member's calls in progress would hold with one more call: the items of its calls already parsed (they
    // entered the gate), and for the others and the new one the mean size of its recent calls. Read without the lock: an
    // estimate, taken before the request is read, so a refused bulk load costs a body read, never a parse.
    private static double ItemsInProgress(MemberShare share, int reserved)
    {
        var mean = Volatile.Read(ref share.MeanCallItems);
        var unparsed = Math.Max(0, reserved - Volatile.Read(ref share.ParsedCalls));
        return Interlocked.Read(ref share.ParsedItems) + ((unparsed + 1) * mean);
    }

    /// <summary>Ends a call counted by <see cref="TryReserve(string, out TimeSpan)"/>.</summary>
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
            var now = clock.GetTimestamp();
            Touch(share, now);
            if (holding is null && free >= units && share.Executing + units <= PerMember && share.Waiters.Count == 0
                && Eligible(share, now, out var yielding))
            {
                free -= units;
                share.Executing += units;
                share.ExecutingSince += units * (double)now;
                CountParsed(share, cost);
                return new ValueTask<Lease>(new Lease(this, share, units, cost, now, yielding));
            }

            cancellationToken.ThrowIfCancellationRequested();
            CountParsed(share, cost);
            waiter = new Waiter(this, share, cost, units);
            waiter.Node = share.Waiters.AddLast(waiter);
            Volatile.Write(ref share.WaitingCount, share.Waiters.Count);
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
            Volatile.Write(ref waiter.Share.WaitingCount, waiter.Share.Waiters.Count);
            waiter.Node = null;
            UncountParsed(waiter.Share, waiter.Cost);
            // The cancelled call may have been the one the free slots were held for.
            Dispatch();
        }

        waiter.TrySetCanceled(token);
    }

    // A call of cost items entered the gate (its request is parsed): it counts in the member's items in progress until
    // its lease ends or it leaves the queue, and its size in the member's mean call size. Under the lock.
    private static void CountParsed(MemberShare share, int cost)
    {
        Interlocked.Add(ref share.ParsedItems, cost);
        Interlocked.Increment(ref share.ParsedCalls);
        Volatile.Write(ref share.MeanCallItems, share.MeanCallItems + ((cost - share.MeanCallItems) / 8));
    }

    private static void UncountParsed(MemberShare share, int cost)
    {
        Interlocked.Add(ref share.ParsedItems, -cost);
        Interlocked.Decrement(ref share.ParsedCalls);
    }

    // Slots a call of cost items takes: one per quantum, but never more than a member may hold (it would never run).
    private int UnitsOf(int cost) => (int)Math.Min(PerMember, ((long)cost + quantum - 1) / quantum);

    private void Release(MemberShare share, int units, int cost, long startedAt)
    {
        lock (sync)
        {
            UncountParsed(share, cost);
            var now = clock.GetTimestamp();
            var held = now - startedAt;
            free += units;
            share.Executing -= units;
            share.ExecutingSince -= units * (double)startedAt;
            meanHoldTicks += (clock.GetElapsedTime(startedAt, now).Ticks - meanHoldTicks) / 8;
            var backlogged = share.Waiters.Count > 0;
            if (backlogged && share.BackloggedAtLastRelease)
            {
                // Backlogged since its previous call ended: the interval between them is how fast its queue moves.
                var sample = Math.Min(clock.GetElapsedTime(share.LastRelease, now).Ticks, MaxRetryAfter.Ticks);
                Volatile.Write(ref share.MeanIntervalTicks, share.MeanIntervalTicks + ((sample - share.MeanIntervalTicks) / 8));
            }

            share.LastRelease = now;
            share.BackloggedAtLastRelease = backlogged;
            Touch(share, now);
            share.AddUsage(now, clock.TimestampFrequency, units * (double)held / clock.TimestampFrequency);
            // A heavy member pauses after each call so that it executes at most the duty cycle of the time.
            var heavy = dutyCycle < 1 && IsHeavy(share, now);
            share.NotBefore = heavy ? now + (long)(held * (1 - dutyCycle) / dutyCycle) : 0;
            MarkPaced(share, heavy, now);
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

            // A heavy member that is pausing, or already has a call executing, leaves the ring until its pause ends
            // (the resume timer) or its call does (Release).
            var now = clock.GetTimestamp();
            if (!Eligible(share, now, out _))
            {
                share.InRing = false;
                if (share.NotBefore > now)
                {
                    ScheduleResume(share.NotBefore, now);
                }

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
        var now = clock.GetTimestamp();
        var yielding = dutyCycle < 1 && IsHeavy(share, now);
        MarkPaced(share, yielding, now);
        share.Deficit = Math.Min(share.Deficit - head.Cost, quantum);
        share.Waiters.RemoveFirst();
        Volatile.Write(ref share.WaitingCount, share.Waiters.Count);
        head.Node = null;
        share.Executing += head.Units;
        share.ExecutingSince += head.Units * (double)now;
        free -= head.Units;
        head.Registration.Unregister();
        head.TrySetResult(new Lease(this, share, head.Units, head.Cost, now, yielding));
    }

    // Marks the member active now; members idle for longer than the window leave the active list here.
    private void Touch(MemberShare share, long now)
    {
        share.LastSeen = now;
        if (!share.Active)
        {
            share.Active = true;
            active.Add(share);
        }
    }

    private int ActiveMembers(long now)
    {
        var window = (long)(ActiveWindow.TotalSeconds * clock.TimestampFrequency);
        active.RemoveAll(s =>
        {
            var idle = s.Executing == 0 && s.Waiters.Count == 0 && now - s.LastSeen > window;
            if (idle)
            {
                s.Active = false;
                s.Usage = 0;
            }

            return idle;
        });
        return active.Count;
    }

    // Heavy: two or more members active and this one's slot-time usage over HeavyFactor times the fair share. Runs under
    // the lock, over the active members only (a handful, not every member ever seen).
    private bool IsHeavy(MemberShare share, long now)
    {
        var count = ActiveMembers(now);
        if (count < 2)
        {
            return false;
        }

        var total = 0.0;
        foreach (var member in active)
        {
            total += member.UsageAt(now, clock.TimestampFrequency);
        }

        return share.UsageAt(now, clock.TimestampFrequency) > HeavyFactor * total / count;
    }

    // May this member start a call now? Not while it pauses; a heavy member only when none of its calls executes.
    private bool Eligible(MemberShare share, long now, out bool yielding)
    {
        yielding = false;
        if (dutyCycle >= 1)
        {
            return true;
        }

        if (share.NotBefore > now)
        {
            return false;
        }

        yielding = IsHeavy(share, now);
        MarkPaced(share, yielding, now);
        return !yielding || share.Executing == 0;
    }

    /// <summary>Whether <paramref name="memberId"/> is paced now (diagnostics, refusal messages and tests).</summary>
    public bool IsPaced(string memberId) => members.TryGetValue(memberId, out var share) && IsPaced(share);

    private bool IsPaced(MemberShare share) => clock.GetTimestamp() < Volatile.Read(ref share.PacedUntil);

    private void MarkPaced(MemberShare share, bool paced, long now) =>
        Volatile.Write(ref share.PacedUntil, paced ? now + (long)(ActiveWindow.TotalSeconds * clock.TimestampFrequency) : 0);

    private void ScheduleResume(long at, long now)
    {
        if (at >= resumeAt)
        {
            return;
        }

        resumeAt = at;
        resumeTimer ??= clock.CreateTimer(static state => ((FairAdmissionGate)state!).Resume(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        resumeTimer.Change(TimeSpan.FromSeconds((double)(at - now) / clock.TimestampFrequency), Timeout.InfiniteTimeSpan);
    }

    // A pause ended: members whose pause is over and who have calls waiting rejoin the ring.
    private void Resume()
    {
        lock (sync)
        {
            resumeAt = long.MaxValue;
            var now = clock.GetTimestamp();
            foreach (var share in active)
            {
                if (share.Waiters.Count > 0 && !share.InRing && share != holding)
                {
                    if (share.NotBefore <= now)
                    {
                        share.InRing = true;
                        ring.Enqueue(share);
                    }
                    else
                    {
                        ScheduleResume(share.NotBefore, now);
                    }
                }
            }

            Dispatch();
        }
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
        private readonly int cost;
        private readonly long startedAt;

        internal Lease(FairAdmissionGate gate, MemberShare share, int units, int cost, long startedAt, bool yielding)
        {
            this.gate = gate;
            this.share = share;
            this.units = units;
            this.cost = cost;
            this.startedAt = startedAt;
            Yield = yielding;
        }

        /// <summary>
        /// True when the member was heavy (well over its fair share while others are active) as the slot was granted:
        /// the call should keep its own work in flight small (fewer Redis calls at once) so others' calls are not queued
        /// behind it.
        /// </summary>
        public bool Yield { get; }

        public void Dispose() => gate?.Release(share!, units, cost, startedAt);
    }

    /// <summary>One member's state. Queue fields are guarded by the gate's lock; counters are atomic.</summary>
    internal sealed class MemberShare(string memberId)
    {
        public string MemberId { get; } = memberId;

        public readonly LinkedList<Waiter> Waiters = new();
        public int Executing;
        public long Deficit;
        public bool InRing;

        // Fair-share accounting (see IsHeavy): slot-seconds used, decaying with UsageTimeConstant from UsageStamp.
        public bool Active;
        public long LastSeen;
        public long NotBefore;

        // Until when the member counts as paced (heavy when last judged, under the lock; 0 when not): read without the
        // lock by TryReserve for the paced calls-in-progress limit. It lapses by itself, so a member paced once and
        // back after a quiet spell is not held to the paced limit until one of its calls ends.
        public long PacedUntil;
        public long LastRelease;
        public bool BackloggedAtLastRelease;
        public long MeanIntervalTicks;
        public int WaitingCount;
        public double Usage;
        public long UsageStamp;

        // Sum of units × start timestamp over the calls executing now, so their slot time so far counts too: a member
        // whose calls are long is judged while they run, not only once they end.
        public double ExecutingSince;

        public double UsageAt(long now, long frequency) =>
            (Usage * Math.Exp(-(now - UsageStamp) / (UsageTimeConstant.TotalSeconds * frequency)))
            + (((Executing * (double)now) - ExecutingSince) / frequency);

        public void AddUsage(long now, long frequency, double slotSeconds)
        {
            Usage = (Usage * Math.Exp(-(now - UsageStamp) / (UsageTimeConstant.TotalSeconds * frequency))) + slotSeconds;
            UsageStamp = now;
        }

        // Calls in progress (TryReserve), Subscribe streams and connections: see MemberCallLimits.
        public int Reserved;
        public int Streams;

        // Items and count of its calls in progress whose requests are parsed (they entered the gate), and the mean size
        // of its calls (weight 1/8; 1 until its first call): TryReserve's estimate of what one more call would hold.
        public long ParsedItems;
        public int ParsedCalls;
        public double MeanCallItems = 1;
        public readonly Dictionary<string, int> Connections = new(StringComparer.Ordinal);
    }

    /// <summary>Which limit refused a <see cref="TryReserve(string, out TimeSpan, out TimeSpan, out ReserveLimit, TimeSpan)"/>.</summary>
    public enum ReserveLimit
    {
        /// <summary>Not refused.</summary>
        None,

        /// <summary>MaxConcurrentCallsPerMember + MaxQueuedCallsPerMember calls in progress.</summary>
        Calls,

        /// <summary>MaxItemsInProgressPerMember items in progress (estimated).</summary>
        Items,

        /// <summary><see cref="PacedCallsInProgress"/> calls while the member is paced.</summary>
        Paced,
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
