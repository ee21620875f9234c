using Federation.Hub.Admission;
using Microsoft.Extensions.Time.Testing;

namespace Federation.Hub.Tests.Admission;

/// <summary>
/// The gate's pacing of a heavy member (Fairness:ContendedDutyCycle) on a fake clock: who is paced, for how long, and
/// the hold of a refusal. Time only moves when a test advances it, so nothing depends on the machine's speed.
/// </summary>
public sealed class FairAdmissionPacingTests
{
    private static readonly TimeSpan CallTime = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_heavy_member_pauses_after_each_call_while_another_member_is_active_and_the_other_is_served_at_once()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 20, perMember: 10, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        Enter(gate, "victim", 10).Dispose();
        var first = Enter(gate, "bulk", 1000);
        var second = Queue(gate, "bulk", 1000);

        clock.Advance(CallTime);
        first.Dispose();
        var victim = Queue(gate, "victim", 10);

        // Duty cycle 0.5: after a 100 ms call, a 100 ms pause before the member's next call; the victim is not paced.
        Assert.True(victim.IsCompletedSuccessfully);
        Assert.False((await victim).Yield);
        Assert.False(second.IsCompleted);
        clock.Advance(CallTime / 2);
        Assert.False(second.IsCompleted);
        clock.Advance(CallTime / 2);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.True((await second).Yield, "a heavy member's lease tells it to keep its own work in flight small");
    }

    [Fact]
    public void A_heavy_member_runs_one_call_at_a_time_while_another_member_is_active()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 40, perMember: 20, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        Enter(gate, "victim", 10).Dispose();
        var running = Enter(gate, "bulk", 1000);
        clock.Advance(CallTime);

        // Room for a second 1,000-item batch within its cap of 20 slots, but the member is heavy: it waits its turn.
        var another = Queue(gate, "bulk", 1000);
        Assert.False(another.IsCompleted);

        running.Dispose();
        clock.Advance(CallTime);
        Assert.True(another.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_member_alone_is_never_paced()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 20, perMember: 10, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        var first = Enter(gate, "bulk", 1000);
        var second = Queue(gate, "bulk", 1000);

        clock.Advance(CallTime);
        first.Dispose();

        Assert.True(second.IsCompletedSuccessfully);
        Assert.False((await second).Yield);
    }

    [Fact]
    public async Task Members_of_similar_weight_do_not_pace_each_other()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 20, perMember: 10, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        var a = Enter(gate, "a", 1000);
        var b = Enter(gate, "b", 1000);
        var aNext = Queue(gate, "a", 1000);
        var bNext = Queue(gate, "b", 1000);

        clock.Advance(CallTime);
        a.Dispose();
        b.Dispose();

        // Each used half of the slot time: neither is over 1.5 times its fair share, so both go on at once.
        Assert.True(aNext.IsCompletedSuccessfully);
        Assert.True(bNext.IsCompletedSuccessfully);
        Assert.False((await aNext).Yield);
    }

    [Fact]
    public void A_member_idle_for_longer_than_the_active_window_no_longer_makes_another_heavy()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 20, perMember: 10, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        Enter(gate, "victim", 10).Dispose();
        clock.Advance(TimeSpan.FromSeconds(2));
        var first = Enter(gate, "bulk", 1000);
        var second = Queue(gate, "bulk", 1000);

        clock.Advance(CallTime);
        first.Dispose();

        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_refusal_of_a_backlogged_member_is_held_for_about_the_time_its_queue_needs_at_most_the_limit()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 2, perMember: 1, queuedPerMember: 2, quantumItems: 100, dutyCycle: 1, clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(gate.TryReserve("bulk", out _));
        }

        // One call executing, two waiting; each takes 100 ms, so the member's calls complete every 100 ms.
        var running = Enter(gate, "bulk", 100);
        var waiting = new List<Task<FairAdmissionGate.Lease>> { Queue(gate, "bulk", 100), Queue(gate, "bulk", 100) };
        for (var i = 0; i < 20; i++)
        {
            clock.Advance(CallTime);
            running.Dispose();
            running = await waiting.Single(w => w.IsCompleted);
            waiting.RemoveAll(w => w.IsCompleted);
            waiting.Add(Queue(gate, "bulk", 100));
        }

        Assert.False(gate.TryReserve("bulk", out var retryAfter, out var hold, out _, TimeSpan.FromSeconds(1)));
        Assert.False(gate.TryReserve("bulk", out _, out var shortHold, out _, TimeSpan.FromMilliseconds(50)));

        // Two calls waiting at about 100 ms each (the interval's running mean approaches 100 ms from its start at 0);
        // the hint stays the time for its three calls in progress to move through its one slot.
        Assert.InRange(hold, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200));
        Assert.InRange(retryAfter, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(50), shortHold);
        Assert.True(gate.TryReserve("other", out _, out var none, out _, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.Zero, none);
        running.Dispose();
    }

    [Fact]
    public void A_paced_member_may_have_only_two_calls_in_progress_held_the_longest_and_the_limit_lapses_by_itself()
    {
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 20, perMember: 10, queuedPerMember: 10, quantumItems: 100, dutyCycle: 0.5, clock);
        Enter(gate, "victim", 10).Dispose();
        var first = Enter(gate, "bulk", 1000);
        clock.Advance(CallTime);
        first.Dispose();
        Assert.True(gate.IsPaced("bulk"));
        Assert.False(gate.IsPaced("victim"));

        // Its further calls are refused before their requests are read, instead of waiting parsed in its queue.
        Assert.True(gate.TryReserve("bulk", out _));
        Assert.True(gate.TryReserve("bulk", out _));
        Assert.False(gate.TryReserve("bulk", out var retryAfter, out var hold, out _, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(1), hold);
        Assert.True(retryAfter >= hold, "the hint covers the hold and the member's next interval");
        Assert.True(gate.TryReserve("victim", out _), "the other member keeps its own limit");
        gate.Unreserve("bulk");
        gate.Unreserve("bulk");
        gate.Unreserve("victim");

        // Back after a quiet spell longer than the active window: the full limit, before any call of its own has ended.
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(gate.IsPaced("bulk"));
        for (var i = 0; i < gate.PerMember + gate.QueuedPerMember; i++)
        {
            Assert.True(gate.TryReserve("bulk", out _));
        }
    }

    private static FairAdmissionGate.Lease Enter(FairAdmissionGate gate, string member, int cost)
    {
        var call = Queue(gate, member, cost);
        Assert.True(call.IsCompletedSuccessfully, "a free slot is granted at once");
        return call.GetAwaiter().GetResult();
    }

    private static Task<FairAdmissionGate.Lease> Queue(FairAdmissionGate gate, string member, int cost) =>
        gate.EnterAsync(member, cost, CancellationToken.None).AsTask();
}
