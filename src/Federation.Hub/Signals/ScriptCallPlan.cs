using Federation.Hub.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// How a Submit batch goes to Redis: at most <see cref="ItemsPerCall"/> items per script call, at most
/// <see cref="InFlight"/> calls outstanding. Redis runs one script at a time and one connection's commands in order, so
/// these bound what another member's command waits behind.
/// </summary>
public readonly record struct ScriptCallPlan(int InFlight, int ItemsPerCall)
{
    /// <summary>
    /// A member's batch, told by its admission whether it must yield (<c>FairAdmissionGate.Lease.Yield</c>: a heavy member
    /// while others are active): then few, short calls (<see cref="FairnessOptions.ContendedScriptCallsInFlight"/>,
    /// <see cref="FairnessOptions.ContendedItemsPerScriptCall"/>); otherwise every partition's calls at once.
    /// </summary>
    public static ScriptCallPlan For(bool yielding, SignalOptions signals, FairnessOptions fairness) => yielding
        ? new(fairness.ContendedScriptCallsInFlight, fairness.ContendedItemsPerScriptCall > 0
            ? Math.Min(fairness.ContendedItemsPerScriptCall, signals.MaxItemsPerScriptCall)
            : signals.MaxItemsPerScriptCall)
        : new(int.MaxValue, signals.MaxItemsPerScriptCall);
}
