using Federation.Hub.Storage;
using Grpc.Core;

namespace Federation.Hub.Auth;

/// <summary>The authenticated, currently active member making a gRPC call.</summary>
public sealed record Caller(MemberRecord Member)
{
    /// <summary>The member id (OAuth client id).</summary>
    public string MemberId => Member.Id;

    /// <summary>Whether the member holds the administrator scope (sees quarantined signals, governs them).</summary>
    public bool IsAdministrator => Member.Scopes.Contains(FederationScopes.Admin, StringComparer.Ordinal);
}

/// <summary>Reads the <see cref="Caller"/> that <see cref="MemberAccessInterceptor"/> attached to the call.</summary>
public static class CallerExtensions
{
    /// <summary>The caller of this call; present on every call that passed authorization.</summary>
    public static Caller GetCaller(this ServerCallContext context) =>
        context.GetHttpContext().Features.Get<Caller>()
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "No authenticated member on this call."));
}
