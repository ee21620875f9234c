namespace Federation.Core.Signals;

/// <summary>
/// What a signal is evidence of. Core keeps its own enum so that it never references the generated
/// contracts; every numeric value equals the proto <c>federation.v1.Category</c> value, so the hub converts
/// with a plain cast. <see cref="CategorySet"/> stores these values as bits in Redis: never renumber them.
/// </summary>
public enum SignalCategory
{
    /// <summary>Not set; rejected in submissions.</summary>
    Unspecified = 0,

    /// <summary>Known child sexual abuse material.</summary>
    Csam = 1,

    /// <summary>Synthetic or AI-generated abuse material.</summary>
    CsamGenerated = 2,

    /// <summary>Grooming behaviour.</summary>
    Grooming = 3,

    /// <summary>Sexual extortion.</summary>
    Sextortion = 4,

    /// <summary>Livestreamed abuse.</summary>
    LivestreamedAbuse = 5,

    /// <summary>Trafficking.</summary>
    Trafficking = 6,

    /// <summary>An account that preys on children.</summary>
    PredatoryAccount = 7,

    /// <summary>Solicitation of a minor.</summary>
    Solicitation = 8,
}
