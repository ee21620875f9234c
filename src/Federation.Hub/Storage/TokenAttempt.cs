namespace Federation.Hub.Storage;

/// <summary>
/// One token request attempt as <see cref="TokenThrottleStore"/> judged it: admitted (with what it was charged, to
/// give back on a right secret) or refused by a named limit for <see cref="RetryAfter"/>.
/// </summary>
/// <param name="ClientId">The client id charged; null when it cannot name a member (only the source was charged).</param>
/// <param name="Source">The source address key (IPv4 address or IPv6 /64).</param>
/// <param name="SourceCharged">The per-source limit was charged.</param>
/// <param name="ClientMask">Bit 0: the client-id-and-source limit was charged; bit 1: the client-id limit was.</param>
/// <param name="RefusedBy">The limit that refused the attempt; null when admitted.</param>
/// <param name="RetryAfter">How long until the refusing limit admits an attempt again.</param>
/// <param name="AuditRefusal">First refusal of this client id and source in the audit interval: audit and log it.</param>
public sealed record TokenAttempt(
    string? ClientId, string Source, bool SourceCharged, long ClientMask, string? RefusedBy, TimeSpan RetryAfter, bool AuditRefusal)
{
    /// <summary>True when the attempt may go on to verify its secret.</summary>
    public bool Admitted => RefusedBy is null;
}
