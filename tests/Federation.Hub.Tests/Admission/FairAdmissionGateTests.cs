using Federation.Hub.Admission;

namespace Federation.Hub.Tests.Admission;

/// <summary>
/// The gate's queue on its own: which waiting call gets a freed slot, in which order. Deterministic: a grant completes
/// the waiter's task inside <c>Dispose</c> of the lease that freed the slot, so the order is read off completed tasks,
/// with no timers.
/// </summary>
public sealed class FairAdmissionGateTests
{
    [Fact]
    public async Task Freed_slots_go_to_waiting_members_in_turn()
    {
        var gate = new FairAdmissionGate(slots: 1, perMember: 1, queuedPerMember: 10, quantumItems: 100);
        var holder = Enter(gate, "x", 1);
        var waiting = new List<(string Name, Task<FairAdmissionGate.Lease> Call)>
        {
            ("a1", Queue(gate, "a", 10, CancellationToken.None)),
            ("a2", Queue(gate, "a", 10, CancellationToken.None)),
            ("a3", Queue(gate, "a", 10, CancellationToken.None)),
            ("b1", Queue(gate, "b", 10, CancellationToken.None)),
            ("c1", Queue(gate, "c", 10, CancellationToken.None)),
        };
        Assert.All(waiting, w => Assert.False(w.Call.IsCompleted));

        var order = await GrantOrderAsync(holder, waiting);

        // Member a queued three calls first, but b and c each get a turn before a's second.
        Assert.Equal(["a1", "b1", "c1", "a2", "a3"], order);
        Assert.Equal(1, gate.FreeSlots);
    }

    [Fact]
    public async Task A_large_batch_waits_more_turns_than_small_calls()
    {
        var gate = new FairAdmissionGate(slots: 1, perMember: 1, queuedPerMember: 100, quantumItems: 100);
        var holder = Enter(gate, "x", 1);
        var waiting = new List<(string Name, Task<FairAdmissionGate.Lease> Call)>
        {
            ("big1", Queue(gate, "bulk", 1000, CancellationToken.None)),
            ("big2", Queue(gate, "bulk", 1000, CancellationToken.None)),
        };
        for (var i = 0; i < 25; i++)
        {
            waiting.Add(($"small{i}", Queue(gate, "lookups", 1, CancellationToken.None)));
        }

        var order = await GrantOrderAsync(holder, waiting);

        // Deficit round-robin by items: 1,000 items at 100 per turn need ten turns; the 1-item calls run one per turn.
        Assert.Equal(9, order.IndexOf("big1"));
        Assert.InRange(order.IndexOf("big2") - order.IndexOf("big1") - 1, 9, 10);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"small{i}"), order.Where(n => n.StartsWith("small", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_member_at_its_own_cap_waits_while_another_member_gets_a_free_slot_at_once()
    {
        var gate = new FairAdmissionGate(slots: 4, perMember: 2, queuedPerMember: 10, quantumItems: 100);
        var flood1 = Enter(gate, "flood", 100);
        var flood2 = Enter(gate, "flood", 100);
        var flood3 = Queue(gate, "flood", 100, CancellationToken.None);

        var victim = Queue(gate, "victim", 100, CancellationToken.None);

        Assert.False(flood3.IsCompleted);
        Assert.True(victim.IsCompleted);
        Assert.Equal(1, gate.FreeSlots);
        (await victim).Dispose();
        flood1.Dispose();
        Assert.True(flood3.IsCompleted);
        flood2.Dispose();
        (await flood3).Dispose();
        Assert.Equal(4, gate.FreeSlots);
    }

    [Fact]
    public async Task A_large_call_takes_a_slot_per_quantum_and_on_its_turn_free_slots_wait_for_it()
    {
        var gate = new FairAdmissionGate(slots: 10, perMember: 10, queuedPerMember: 10, quantumItems: 100);
        var small = Enter(gate, "x", 100);
        var eightSmall = Enumerable.Range(0, 8).Select(_ => Enter(gate, "x", 10)).ToList();
        Assert.Equal(1, gate.FreeSlots);

        var big = Queue(gate, "bulk", 1000, CancellationToken.None);
        var later = Queue(gate, "y", 10, CancellationToken.None);

        // 1,000 items need ten slots; the one free slot is held for the batch, not given to y's small call.
        Assert.False(big.IsCompleted);
        Assert.False(later.IsCompleted);
        small.Dispose();
        eightSmall.ForEach(lease => lease.Dispose());
        Assert.True(big.IsCompleted);
        Assert.False(later.IsCompleted);
        Assert.Equal(0, gate.FreeSlots);
        (await big).Dispose();
        Assert.True(later.IsCompleted);
        (await later).Dispose();
        Assert.Equal(10, gate.FreeSlots);
    }

    [Fact]
    public async Task Cancelling_a_queued_call_leaves_the_queue_as_if_it_never_came()
    {
        var gate = new FairAdmissionGate(slots: 1, perMember: 1, queuedPerMember: 10, quantumItems: 100);
        var holder = Enter(gate, "x", 1);
        using var cancel = new CancellationTokenSource();
        var cancelled = Queue(gate, "a", 10, cancel.Token);
        var next = Queue(gate, "a", 10, CancellationToken.None);
        Assert.Equal(2, gate.Waiting("a"));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.Equal(1, gate.Waiting("a"));
        holder.Dispose();
        Assert.True(next.IsCompleted);
        (await next).Dispose();
        Assert.Equal(1, gate.FreeSlots);
        Assert.Equal(0, gate.Waiting("a"));
    }

    [Fact]
    public async Task An_already_cancelled_call_is_refused_without_joining_the_queue()
    {
        var gate = new FairAdmissionGate(slots: 1, perMember: 1, queuedPerMember: 10, quantumItems: 100);
        using var holder = Enter(gate, "x", 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.EnterAsync("a", 10, new CancellationToken(canceled: true)));

        Assert.Equal(0, gate.Waiting("a"));
    }

    [Fact]
    public void Calls_in_progress_beyond_executing_plus_queued_are_refused_with_a_retry_hint()
    {
        var gate = new FairAdmissionGate(slots: 8, perMember: 2, queuedPerMember: 3, quantumItems: 100);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(gate.TryReserve("flood", out _));
        }

        Assert.False(gate.TryReserve("flood", out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.True(gate.TryReserve("victim", out _));

        gate.Unreserve("flood");
        Assert.True(gate.TryReserve("flood", out _));
    }

    [Fact]
    public void A_member_whose_calls_in_progress_hold_the_item_limit_is_refused_before_its_next_request_is_read()
    {
        var gate = new FairAdmissionGate(slots: 40, perMember: 20, queuedPerMember: 16, quantumItems: 100, itemsInProgressPerMember: 3000);

        // Its first call is always admitted: nothing is known of its size yet.
        Assert.True(gate.TryReserve("bulk", out _));
        var first = Enter(gate, "bulk", 1000);

        // Two more 1,000-item calls fit (3,000 items); their sizes are estimated from the mean of its calls so far, and
        // the mean only approaches 1,000 (weight 1/8), so a few more are admitted before the estimate reaches the limit.
        var admitted = 1;
        while (gate.TryReserve("bulk", out _, out _, out var limited, TimeSpan.FromSeconds(1)))
        {
            admitted++;
            Assert.Equal(FairAdmissionGate.ReserveLimit.None, limited);
            _ = Queue(gate, "bulk", 1000, CancellationToken.None);
            Assert.True(admitted < 10, "an item limit of 3,000 admits a handful of 1,000-item calls, not the 36 the call limit allows");
        }

        Assert.InRange(admitted, 3, 4);
        Assert.False(gate.TryReserve("bulk", out var retryAfter, out _, out var refusal, TimeSpan.FromSeconds(1)));
        Assert.Equal(FairAdmissionGate.ReserveLimit.Items, refusal);
        Assert.True(retryAfter > TimeSpan.Zero);

        // Another member with small calls keeps its own limits; the first call of the bulk member ending makes room.
        Assert.True(gate.TryReserve("victim", out _));
        first.Dispose();
        gate.Unreserve("bulk");
        Assert.True(gate.TryReserve("bulk", out _));
    }

    [Fact]
    public void Small_calls_are_bounded_by_the_call_limit_not_the_item_limit()
    {
        var gate = new FairAdmissionGate(slots: 40, perMember: 20, queuedPerMember: 16, quantumItems: 100, itemsInProgressPerMember: 3000);
        var leases = new List<FairAdmissionGate.Lease>();
        for (var i = 0; i < 36; i++)
        {
            Assert.True(gate.TryReserve("publisher", out _), $"call {i + 1} of 10 items is within 36 calls and 3,000 items");
            if (i < 20)
            {
                leases.Add(Enter(gate, "publisher", 10));
            }
        }

        Assert.False(gate.TryReserve("publisher", out _, out _, out var limited, TimeSpan.FromSeconds(1)));
        Assert.Equal(FairAdmissionGate.ReserveLimit.Calls, limited);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task A_call_that_leaves_the_queue_no_longer_counts_in_the_items_in_progress()
    {
        var gate = new FairAdmissionGate(slots: 10, perMember: 10, queuedPerMember: 16, quantumItems: 100, itemsInProgressPerMember: 1500);
        Assert.True(gate.TryReserve("bulk", out _));
        var running = Enter(gate, "bulk", 1000);
        Assert.True(gate.TryReserve("bulk", out _));
        using var cancel = new CancellationTokenSource();
        var waiting = Queue(gate, "bulk", 1000, cancel.Token);
        Assert.False(waiting.IsCompleted, "all ten slots are held by the running call");
        Assert.False(gate.TryReserve("bulk", out _), "2,000 items are in progress, over 1,500");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        gate.Unreserve("bulk");
        running.Dispose();
        gate.Unreserve("bulk");
        Assert.True(gate.TryReserve("bulk", out _), "nothing is in progress any more");
    }

    private static FairAdmissionGate.Lease Enter(FairAdmissionGate gate, string member, int cost)
    {
        var call = Queue(gate, member, cost, CancellationToken.None);
        Assert.True(call.IsCompletedSuccessfully, "a free slot is granted at once");
        return call.GetAwaiter().GetResult();
    }

    private static Task<FairAdmissionGate.Lease> Queue(FairAdmissionGate gate, string member, int cost, CancellationToken cancellationToken) =>
        gate.EnterAsync(member, cost, cancellationToken).AsTask();

    // Frees the holder's slot, then each granted call's slot in turn, recording who got each one.
    private static async Task<List<string>> GrantOrderAsync(FairAdmissionGate.Lease holder, List<(string Name, Task<FairAdmissionGate.Lease> Call)> waiting)
    {
        var order = new List<string>();
        var pending = waiting.ToList();
        var current = holder;
        for (var round = 0; round < waiting.Count; round++)
        {
            current.Dispose();
            var granted = pending.Where(w => w.Call.IsCompleted).ToList();
            Assert.Single(granted);
            order.Add(granted[0].Name);
            pending.Remove(granted[0]);
            current = await granted[0].Call;
        }

        current.Dispose();
        return order;
    }
}
