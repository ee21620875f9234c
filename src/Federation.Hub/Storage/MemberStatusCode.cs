namespace Federation.Hub.Storage;

/// <summary>A member's standing; numeric values equal the contract's <c>MemberStatus</c>.</summary>
public enum MemberStatusCode
{
    Active = 1,
    Suspended = 2,
    Removed = 3,
}
