namespace Federation.Hub.Domain;

/// <summary>
/// What kind of refusal a domain rule raised. Each interface maps it once: gRPC to a status code
/// (<c>RpcErrors.From</c>), HTTP endpoints to a status; the rules themselves never name either.
/// </summary>
public enum HubErrorKind
{
    /// <summary>The request itself is wrong (a field, a value, a size); fixing it makes it succeed.</summary>
    InvalidArgument,

    /// <summary>The caller is not authenticated as a current member (or its credentials were rotated).</summary>
    Unauthenticated,

    /// <summary>The caller may not do this (status, scope, sharing group).</summary>
    PermissionDenied,

    /// <summary>What the request names does not exist.</summary>
    NotFound,

    /// <summary>What the request would create exists already.</summary>
    AlreadyExists,

    /// <summary>The request is valid but the state does not allow it (a removed member, an expired cursor).</summary>
    FailedPrecondition,

    /// <summary>This replica cannot serve the call now; a retry after the given delay can.</summary>
    Unavailable,

    /// <summary>A per-member limit that waiting does not lift (the caller must do less, e.g. record one bulk action).</summary>
    ResourceExhausted,
}
