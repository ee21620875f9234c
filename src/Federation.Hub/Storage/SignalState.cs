namespace Federation.Hub.Storage;

/// <summary>Life-cycle state of a signal record; the values equal the proto <c>SignalStatus</c> values.</summary>
public enum SignalState
{
    /// <summary>At least one member backs the signal and it has not expired.</summary>
    Active = 1,

    /// <summary>Every contributor withdrew.</summary>
    Retracted = 2,

    /// <summary>The signal's retention ended.</summary>
    Expired = 3,

    /// <summary>The false-positive quorum or an administrator overturned it (a tombstone that refuses resubmission).</summary>
    Overturned = 4,
}
