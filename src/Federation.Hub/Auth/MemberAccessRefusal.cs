namespace Federation.Hub.Auth;

/// <summary>Why <see cref="MemberAccess"/> refused a call.</summary>
public enum MemberAccessRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>The member is suspended, removed or unknown (gRPC PERMISSION_DENIED, HTTP 403).</summary>
    NotActive = 1,

    /// <summary>The token predates the member's current credentials (gRPC UNAUTHENTICATED, HTTP 401).</summary>
    CredentialsRotated = 2,
}
