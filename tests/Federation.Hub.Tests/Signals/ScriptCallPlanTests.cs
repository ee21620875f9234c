using Federation.Hub.Options;
using Federation.Hub.Signals;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// How a Submit batch is cut into script calls: a member that must yield (heavy while others are active) sends few,
/// short calls; any other sends every partition's calls at once, each of at most Signals:MaxItemsPerScriptCall items.
/// </summary>
public sealed class ScriptCallPlanTests
{
    [Fact]
    public void A_yielding_member_sends_one_short_call_at_a_time_by_default()
    {
        var options = new FederationOptions();

        Assert.Equal(new ScriptCallPlan(1, 32), ScriptCallPlan.For(yielding: true, options.Signals, options.Fairness));
    }

    [Fact]
    public void Any_other_member_sends_all_its_calls_at_once_of_the_usual_size()
    {
        var options = new FederationOptions();

        Assert.Equal(new ScriptCallPlan(int.MaxValue, 64), ScriptCallPlan.For(yielding: false, options.Signals, options.Fairness));
    }

    [Theory]
    [InlineData(0, 64, 64)]  // 0: the usual size
    [InlineData(16, 64, 16)]
    [InlineData(100, 24, 24)] // never longer than the usual calls
    public void The_contended_call_size_is_configured_and_never_above_the_usual_one(int contended, int usual, int expected)
    {
        var options = new FederationOptions();
        options.Fairness.ContendedItemsPerScriptCall = contended;
        options.Fairness.ContendedScriptCallsInFlight = 3;
        options.Signals.MaxItemsPerScriptCall = usual;

        Assert.Equal(new ScriptCallPlan(3, expected), ScriptCallPlan.For(yielding: true, options.Signals, options.Fairness));
    }
}
