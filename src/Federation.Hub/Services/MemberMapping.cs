using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Services;

/// <summary>Maps stored members and audit entries to the contract.</summary>
public static class MemberMapping
{
    public static Member ToContract(this MemberRecord m) => new()
    {
        MemberId = m.Id,
        DisplayName = m.DisplayName,
        Status = (MemberStatus)(int)m.Status,
        Scopes = { m.Scopes },
        SharingGroups = { m.Groups },
        CreatedAt = Timestamp.FromDateTimeOffset(m.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(m.UpdatedAt),
        CredentialsIssuedAt = Timestamp.FromDateTimeOffset(m.CredentialsIssuedAt),
        StatusReason = m.StatusReason,
    };

    public static AuditEvent ToContract(this AuditEntry e) => new()
    {
        Sequence = (ulong)e.Sequence,
        Time = Timestamp.FromDateTimeOffset(e.Time),
        Actor = e.Actor,
        Action = e.Action,
        Subject = e.Subject,
        Detail = e.Detail,
        PreviousHash = e.PreviousHash,
        Hash = e.Hash,
    };
}
