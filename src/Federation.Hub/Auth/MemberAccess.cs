using System.Security.Claims;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using OpenIddict.Abstractions;

namespace Federation.Hub.Auth;

/// <summary>
/// The rule every interface applies after the token and its scope were accepted: the member must exist and be active
/// now (a token stays valid until it expires, but a suspended or removed member is refused at once), and the token
/// must carry the member's current <see cref="CredentialStamp"/> (rotating credentials revokes earlier tokens). Refusals
/// are audited. gRPC (<see cref="MemberAccessInterceptor"/>) and TAXII map the outcome to their own status codes.
/// </summary>
public sealed class MemberAccess(MemberStore members, AuditLog audit, HubMetrics metrics)
{
    /// <summary>
    /// Checks the member named by <paramref name="user"/>'s subject. Returns null for a principal without a subject
    /// (endpoints without authorization have no member).
    /// </summary>
    /// <param name="user">The authenticated principal.</param>
    /// <param name="operation">What was called, for the audit entry (a gRPC method or an HTTP path; never a value).</param>
    public async Task<MemberAccessResult?> CheckAsync(ClaimsPrincipal user, string operation)
    {
        var memberId = user.GetClaim(OpenIddictConstants.Claims.Subject);
        if (memberId is null)
        {
            return null;
        }

        var member = await members.GetAsync(memberId).ConfigureAwait(false);
        if (member is null || !member.IsActive)
        {
            var state = member?.Status.ToString().ToLowerInvariant() ?? "unknown";
            metrics.AuthFailed("member-" + state);
            await audit.AppendAsync(memberId, "auth.refused", memberId, $"reason=member-{state} method={operation}").ConfigureAwait(false);
            return MemberAccessResult.Refused(MemberAccessRefusal.NotActive,
                $"Member '{memberId}' is {state}; its calls are refused. Contact the coalition administrator.");
        }

        if (!CredentialStamp.IsCurrent(user.GetClaim(CredentialStamp.Claim), member))
        {
            metrics.AuthFailed("credentials-rotated");
            await audit.AppendAsync(memberId, "auth.refused", memberId, $"reason=credentials-rotated method={operation}").ConfigureAwait(false);
            return MemberAccessResult.Refused(MemberAccessRefusal.CredentialsRotated,
                "The access token was issued before the member's credentials were rotated; request a new token with the current secret.");
        }

        return MemberAccessResult.Allowed(new Caller(member));
    }
}
