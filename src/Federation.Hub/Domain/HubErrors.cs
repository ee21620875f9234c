namespace Federation.Hub.Domain;

/// <summary>Raise-site helpers for <see cref="HubException"/>, one per kind, so a rule reads as what it refuses.</summary>
public static class HubErrors
{
    /// <summary>The request field <paramref name="field"/> is wrong: <paramref name="description"/> says how.</summary>
    public static HubException InvalidArgument(string field, string description) =>
        new(HubErrorKind.InvalidArgument, $"{field}: {description}", field);

    /// <summary>The caller is not (or no longer) authenticated as a current member.</summary>
    public static HubException Unauthenticated(string message) => new(HubErrorKind.Unauthenticated, message);

    /// <summary>The caller may not do this.</summary>
    public static HubException PermissionDenied(string message) => new(HubErrorKind.PermissionDenied, message);

    /// <summary>What the request names does not exist.</summary>
    public static HubException NotFound(string message) => new(HubErrorKind.NotFound, message);

    /// <summary>What the request would create exists already.</summary>
    public static HubException AlreadyExists(string message) => new(HubErrorKind.AlreadyExists, message);

    /// <summary>The request is valid but the state does not allow it.</summary>
    public static HubException FailedPrecondition(string message) => new(HubErrorKind.FailedPrecondition, message);

    /// <summary>A per-member limit that waiting does not lift.</summary>
    public static HubException ResourceExhausted(string message) => new(HubErrorKind.ResourceExhausted, message);

    /// <summary>This replica cannot serve the call now; retry after the store's retry delay.</summary>
    public static HubException Unavailable(string message) => new(HubErrorKind.Unavailable, message);
}
