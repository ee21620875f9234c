using Federation.Hub.Admission;
using Microsoft.Extensions.Time.Testing;

namespace Federation.Hub.Tests.Admission;

/// <summary>
/// Liveness of the gate under random schedules on a fake clock: members of random weight enter calls of random cost,
/// some cancel while waiting, leases end in random order, pacing on. Whatever happened, once the arrivals stop and
/// every granted call ends in time, every waiting call is granted: no call is ever left in a queue nobody will visit
/// (a lost wake-up). Seeds are fixed, so a failure names the schedule that shows it.
/// </summary>
public sealed class FairAdmissionLivenessTests
{
    public static TheoryData<int, double> Schedules()
    {
        var data = new TheoryData<int, double>();
        foreach (var duty in new[] { 0.5, 0.2, 1.0 })
        {
            for (var seed = 0; seed < 40; seed++)
            {
                data.Add(seed, duty);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public async Task Every_waiting_call_is_granted_once_the_calls_ahead_of_it_end(int seed, double dutyCycle)
    {
        var random = new Random(seed);
        var clock = new FakeTimeProvider();
        var gate = new FairAdmissionGate(slots: 8, perMember: 4, queuedPerMember: 6, quantumItems: 100, dutyCycle, clock);
        string[] members = ["bulk", "victim", "third"];
        var pending = new List<Task<FairAdmissionGate.Lease>>();
        var cancellations = new List<CancellationTokenSource>();
        var running = new List<FairAdmissionGate.Lease>();

        for (var step = 0; step < 400; step++)
        {
            Collect(pending, running);
            switch (random.Next(10))
            {
                case < 5:
                    // The bulk member arrives most often and with large calls, so it becomes heavy and is paced.
                    var member = members[random.Next(10) < 6 ? 0 : random.Next(1, members.Length)];
                    var cost = member == "bulk" ? random.Next(1, 1001) : random.Next(1, 60);
                    var cts = new CancellationTokenSource();
                    cancellations.Add(cts);
                    pending.Add(gate.EnterAsync(member, cost, cts.Token).AsTask());
                    break;
                case 5:
                    if (cancellations.Count > 0)
                    {
                        await cancellations[random.Next(cancellations.Count)].CancelAsync();
                    }

                    break;
                case < 8:
                    if (running.Count > 0)
                    {
                        var index = random.Next(running.Count);
                        running[index].Dispose();
                        running.RemoveAt(index);
                    }

                    break;
                default:
                    clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 80)));
                    break;
            }
        }

        // Arrivals stop; each round, every granted call runs for a while and ends. Bounded: the queue is finite.
        for (var round = 0; round < 200 && (pending.Count > 0 || running.Count > 0); round++)
        {
            Collect(pending, running);
            clock.Advance(TimeSpan.FromMilliseconds(50));
            foreach (var lease in running)
            {
                lease.Dispose();
            }

            running.Clear();
            clock.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Empty(pending);
        Assert.Equal(gate.Slots, gate.FreeSlots);
        foreach (var member in members)
        {
            Assert.Equal(0, gate.Waiting(member));
        }
    }

    // Granted calls start running; cancelled ones leave the list (the gate forgot them).
    private static void Collect(List<Task<FairAdmissionGate.Lease>> pending, List<FairAdmissionGate.Lease> running)
    {
        foreach (var call in pending.Where(c => c.IsCompleted).ToList())
        {
            pending.Remove(call);
            if (call.IsCompletedSuccessfully)
            {
                running.Add(call.Result);
            }
        }
    }
}
