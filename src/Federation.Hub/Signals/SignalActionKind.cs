namespace Federation.Hub.Signals;

/// <summary>What a member did on the strength of a signal (appeal propagation: docs/governance.md).</summary>
public enum SignalActionKind
{
    /// <summary>Not set; refused.</summary>
    Unspecified = 0,

    /// <summary>Content was taken down.</summary>
    ContentRemoved = 1,

    /// <summary>An account was actioned.</summary>
    AccountActioned = 2,

    /// <summary>Reported to a hotline.</summary>
    ReportedToHotline = 3,

    /// <summary>Referred to law enforcement.</summary>
    ReferredToLawEnforcement = 4,

    /// <summary>Anything else.</summary>
    Other = 5,
}
