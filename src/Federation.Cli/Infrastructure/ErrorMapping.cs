using Federation.Client;
using Federation.Client.Auth;
using Federation.Client.Subscriptions;
using Grpc.Core;

namespace Federation.Cli.Infrastructure;

/// <summary>Turns any failure into one stderr line "fedctl: error: &lt;kind&gt;: &lt;message&gt;" and an exit code.</summary>
public static class ErrorMapping
{
    public static (int ExitCode, string Kind, string Message) Map(Exception exception) => exception switch
    {
        CliException e => (e.ExitCode, KindOf(e.ExitCode), e.Message),
        FederationAuthenticationException e => (ExitCodes.Auth, "auth", $"{e.Message}; check the client id and secret (fedctl login)"),
        FederationCursorExpiredException e => (ExitCodes.Conflict, "cursor-expired", e.Message + "; run again with --snapshot-on-expired or --from snapshot"),
        FederationException e => FromStatus(e.StatusCode, (e.InnerException as RpcException)?.Status.Detail ?? e.Message),
        RpcException e => FromStatus(e.StatusCode, e.Status.Detail),
        HttpRequestException e => (ExitCodes.Unavailable, "unavailable", $"token endpoint unreachable: {e.Message}"),
        ArgumentException e => (ExitCodes.Usage, "usage", e.Message),
        IOException e => (ExitCodes.Usage, "input", e.Message),
        UnauthorizedAccessException e => (ExitCodes.Usage, "input", e.Message),
        _ => (ExitCodes.Internal, "internal", exception.ToString()),
    };

    private static (int, string, string) FromStatus(StatusCode status, string detail) => status switch
    {
        StatusCode.Unauthenticated => (ExitCodes.Auth, "auth", $"the hub refused the token: {detail}"),
        StatusCode.PermissionDenied => (ExitCodes.Auth, "permission-denied", detail),
        StatusCode.InvalidArgument or StatusCode.OutOfRange => (ExitCodes.Usage, "invalid-argument", detail),
        StatusCode.NotFound => (ExitCodes.NotFound, "not-found", detail),
        StatusCode.AlreadyExists => (ExitCodes.Conflict, "already-exists", detail),
        StatusCode.FailedPrecondition => (ExitCodes.Conflict, "failed-precondition", detail),
        StatusCode.ResourceExhausted => (ExitCodes.RateLimited, "rate-limited", detail),
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => (ExitCodes.Unavailable, "unavailable", $"hub unreachable ({status}): {detail}"),
        _ => (ExitCodes.Internal, status.ToString().ToLowerInvariant(), detail),
    };

    private static string KindOf(int exitCode) => exitCode switch
    {
        ExitCodes.Usage => "usage",
        ExitCodes.Auth => "auth",
        ExitCodes.PartialRejects => "rejected",
        ExitCodes.Unavailable => "unavailable",
        ExitCodes.NotFound => "not-found",
        ExitCodes.Conflict => "conflict",
        _ => "error",
    };
}
