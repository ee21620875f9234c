namespace Federation.Core.Signals;

/// <summary>
/// Everything the hub needs to know about one <see cref="SignalKind"/>: how long its raw value is, whether it
/// is accepted yet, whether it is near-matchable, and the names it goes by. One immutable instance per kind,
/// looked up through <see cref="SignalRules"/>, so per-item validation reads a table instead of branching.
/// </summary>
public sealed class SignalTypeInfo
{
    internal SignalTypeInfo(
        SignalKind kind,
        string name,
        string displayName,
        int rawLength,
        bool isNearMatchable,
        string hashHint,
        string? unsupportedReason = null,
        bool isKeyed = false)
    {
        IsKeyed = isKeyed;
        Kind = kind;
        Name = name;
        DisplayName = displayName;
        RawLength = rawLength;
        IsNearMatchable = isNearMatchable;
        HashHint = hashHint;
        UnsupportedReason = unsupportedReason;
    }

    /// <summary>The kind described.</summary>
    public SignalKind Kind { get; }

    /// <summary>The lowercase name used as the prefix of a signal id, e.g. <c>sha256</c> in <c>sha256:9f86…</c>.</summary>
    public string Name { get; }

    /// <summary>The name members see in the proto and in error messages, e.g. <c>URL_SHA256</c>.</summary>
    public string DisplayName { get; }

    /// <summary>Length of the decoded value in bytes (MD5 16, SHA-1 20, SHA-256 family and PDQ 32); 0 while undefined.</summary>
    public int RawLength { get; }

    /// <summary>Length of the value as hex text: two characters per raw byte.</summary>
    public int HexLength => RawLength * 2;

    /// <summary>Whether the hub accepts this kind today.</summary>
    public bool IsSupported => UnsupportedReason is null;

    /// <summary>Whether look-ups match by Hamming distance (PDQ) rather than exactly.</summary>
    public bool IsNearMatchable { get; }

    /// <summary>
    /// Whether the value is an HMAC under a coalition key (the <c>*_HMAC_SHA256</c> kinds): such a signal carries a key id
    /// (<see cref="SignalKeyId"/>) that is part of its identity, so the same identifier under two keys is two records.
    /// </summary>
    public bool IsKeyed { get; }

    /// <summary>How a member produces this value client-side; quoted when a value looks like plaintext.</summary>
    public string HashHint { get; }

    /// <summary>Why the hub rejects this kind, for kinds that are reserved but not accepted yet; otherwise null.</summary>
    public string? UnsupportedReason { get; }

    /// <inheritdoc />
    public override string ToString() => DisplayName;
}
