namespace Federation.Core.Governance;

/// <summary>
/// A Traffic Light Protocol 2.0 label, least to most restrictive. Core keeps its own enum so that it never references the
/// generated contracts; every value equals the proto <c>federation.v1.ShareLevel</c> value (the hub converts with a cast).
/// </summary>
public enum TlpLevel
{
    /// <summary>Not stated; counts as <see cref="Green"/>.</summary>
    Unspecified = 0,

    /// <summary>TLP:CLEAR, no limit on disclosure.</summary>
    Clear = 1,

    /// <summary>TLP:GREEN, within the community (the coalition).</summary>
    Green = 2,

    /// <summary>TLP:AMBER, within the recipient organization and its clients, need-to-know.</summary>
    Amber = 3,

    /// <summary>TLP:AMBER+STRICT, within the recipient organization only.</summary>
    AmberStrict = 4,

    /// <summary>TLP:RED, named recipients only; the hub refuses it (docs/decisions.md).</summary>
    Red = 5,
}
