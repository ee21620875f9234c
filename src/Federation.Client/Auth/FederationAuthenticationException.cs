namespace Federation.Client.Auth;

/// <summary>The token endpoint refused the client's credentials or scopes (for example <c>invalid_client</c> or <c>invalid_scope</c>); status UNAUTHENTICATED.</summary>
public sealed class FederationAuthenticationException : FederationException
{
    /// <summary>Creates the exception.</summary>
    public FederationAuthenticationException()
        : base("token request refused", Grpc.Core.StatusCode.Unauthenticated, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FederationAuthenticationException(string message)
        : base(message, Grpc.Core.StatusCode.Unauthenticated, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public FederationAuthenticationException(string message, Exception innerException)
        : base(message, Grpc.Core.StatusCode.Unauthenticated, innerException)
    {
    }

    /// <summary>Creates the exception from the OAuth 2.0 error the endpoint returned.</summary>
    public FederationAuthenticationException(string? error, string? description, int? httpStatus)
        : base($"token request refused: {error ?? "error"}{(string.IsNullOrEmpty(description) ? "" : " (" + description + ")")}", Grpc.Core.StatusCode.Unauthenticated, null)
    {
        Error = error;
        ErrorDescription = description;
        HttpStatus = httpStatus;
    }

    /// <summary>The OAuth 2.0 error code, e.g. <c>invalid_client</c>.</summary>
    public string? Error { get; }

    /// <summary>The endpoint's description of the error.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The HTTP status of the token response.</summary>
    public int? HttpStatus { get; }
}
