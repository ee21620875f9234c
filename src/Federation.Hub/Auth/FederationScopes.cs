namespace Federation.Hub.Auth;

/// <summary>The OAuth scopes of the hub and the authorization policies named after them.</summary>
public static class FederationScopes
{
    /// <summary>Submit, opinion and retract.</summary>
    public const string Submit = "signals.submit";

    /// <summary>Lookup and subscribe.</summary>
    public const string Read = "signals.read";

    /// <summary>Membership administration, audit and stats.</summary>
    public const string Admin = "federation.admin";

    /// <summary>Every scope, in a stable order.</summary>
    public static readonly IReadOnlyList<string> All = [Submit, Read, Admin];

    /// <summary>What a new member gets when the administrator names no scope.</summary>
    public static readonly IReadOnlyList<string> MemberDefault = [Submit, Read];
}
