using Federation.Hub.Grpc;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Grpc.Core;
using OpenIddict.Abstractions;

namespace Federation.Hub.Auth;

/// <summary>
/// Checks the member's <em>current</em> status on every gRPC call: a token stays valid until it
/// expires, but a suspended or removed member must be refused at once, and a token obtained before the
/// member's credentials were rotated (its <see cref="CredentialStamp"/> differs) is refused as well. Runs after
/// ASP.NET Core authorization (token and scope), reads the member from Redis and attaches it as the
/// <see cref="Caller"/>.
/// </summary>
public sealed class MemberAccessInterceptor(MemberStore members, AuditLog audit, HubMetrics metrics) : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        return await call().ConfigureAwait(false);
    }

    private async Task AttachCallerAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var memberId = http.User.GetClaim(OpenIddictConstants.Claims.Subject);
        if (memberId is null)
        {
            // Endpoints without [Authorize] (health) have no member.
            return;
        }

        var member = await members.GetAsync(memberId).ConfigureAwait(false);
        if (member is null || !member.IsActive)
        {
            var state = member?.Status.ToString().ToLowerInvariant() ?? "unknown";
            metrics.AuthFailed("member-" + state);
            await audit.AppendAsync(memberId, "auth.refused", memberId, $"reason=member-{state} method={context.Method}").ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Member '{memberId}' is {state}; its calls are refused. Contact the coalition administrator."));
        }

        if (!CredentialStamp.IsCurrent(http.User.GetClaim(CredentialStamp.Claim), member))
        {
            metrics.AuthFailed("credentials-rotated");
            await audit.AppendAsync(memberId, "auth.refused", memberId, $"reason=credentials-rotated method={context.Method}").ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "The access token was issued before the member's credentials were rotated; request a new token with the current secret."));
        }

        http.Features.Set(new Caller(member));
    }
}
