namespace Federation.Hub.Auth;

/// <summary>The outcome of <see cref="MemberAccess.CheckAsync"/>: the caller, or why it was refused and what to tell it.</summary>
public sealed record MemberAccessResult(Caller? Caller, MemberAccessRefusal Refusal, string Message)
{
    /// <summary>The member may call.</summary>
    public static MemberAccessResult Allowed(Caller caller) => new(caller, MemberAccessRefusal.None, "");

    /// <summary>The member may not call.</summary>
    public static MemberAccessResult Refused(MemberAccessRefusal refusal, string message) => new(null, refusal, message);
}
