namespace Federation.Hub.Signals;

/// <summary>A member's opinion of a signal (the numbers stored in the record's opinion hash).</summary>
public enum SignalOpinion
{
    /// <summary>None: setting it withdraws the member's opinion.</summary>
    Unspecified = 0,

    /// <summary>The member confirms the signal.</summary>
    Confirmed = 1,

    /// <summary>The member disputes it.</summary>
    Disputed = 2,

    /// <summary>The member holds it a false positive.</summary>
    FalsePositive = 3,
}
