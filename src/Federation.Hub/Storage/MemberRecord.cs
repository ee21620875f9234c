namespace Federation.Hub.Storage;

/// <summary>A member company as stored in Redis. <see cref="SecretHash"/> is a salted PBKDF2 hash, never the secret.</summary>
public sealed record MemberRecord(
    string Id,
    string DisplayName,
    MemberStatusCode Status,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset CredentialsIssuedAt,
    string StatusReason,
    string SecretHash)
{
    /// <summary>
    /// Compact numeric id (1, 2, …) stored inside signal records instead of <see cref="Id"/>; 0 until assigned
    /// (<see cref="MemberStore.TryCreateAsync"/> assigns it, <see cref="MemberStore.EnsureNumberAsync"/> for older members).
    /// </summary>
    public long Number { get; init; }

    /// <summary>True when the member may call the hub.</summary>
    public bool IsActive => Status == MemberStatusCode.Active;

    /// <summary>True when the member belongs to the sharing group.</summary>
    public bool InGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
