namespace Federation.Hub.Domain;

/// <summary>
/// A refusal raised by a domain rule (Admin, Feed, Signals): what kind it is, what to tell the caller, and for
/// request errors which field. Interfaces translate it (gRPC by <c>RpcErrors.From</c>); the message is
/// written for the member or administrator who reads it and never carries a secret or a submitted value.
/// </summary>
public sealed class HubException(HubErrorKind kind, string message, string? field = null) : Exception(message)
{
    /// <summary>The kind of refusal.</summary>
    public HubErrorKind Kind { get; } = kind;

    /// <summary>The offending request field (e.g. <c>cursor</c>, <c>items[3].value</c>), for <see cref="HubErrorKind.InvalidArgument"/>.</summary>
    public string? Field { get; } = field;
}
