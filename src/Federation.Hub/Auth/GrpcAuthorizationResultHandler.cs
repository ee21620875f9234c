using Federation.Hub.HttpJson;
using Federation.Hub.Telemetry;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenIddict.Validation.AspNetCore;

namespace Federation.Hub.Auth;

/// <summary>
/// Answers an authorization refusal of a gRPC call with a real gRPC status instead of a bare HTTP 401/403 (which
/// clients other than grpc-dotnet report as "Received HTTP status code 403"): a trailers-only response, HTTP 200,
/// <c>grpc-status</c> UNAUTHENTICATED (16) with why the token was refused (missing, expired, not yet valid, wrong
/// audience, bad signature; never the token itself) or PERMISSION_DENIED (7) naming the missing scope.
/// An HTTP/JSON call to a gRPC method gets the same status and message as a <c>google.rpc.Status</c> JSON body with
/// HTTP 401 / 403 (<see cref="CallRefusals"/>). Other requests keep ASP.NET Core's behaviour.
/// </summary>
public sealed class GrpcAuthorizationResultHandler(HubMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !CallRefusals.IsCall(context))
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            metrics.AuthFailed("scope-not-granted");
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).ToArray() ?? [];
            await CallRefusals.WriteAsync(context, StatusCode.PermissionDenied, missing.Length > 0
                ? $"The access token does not grant the scope {string.Join(", ", missing)} that this call needs; request a token with scope={string.Join(' ', missing)} (the member must hold it)."
                : "The access token does not allow this call.").ConfigureAwait(false);
            return;
        }

        metrics.AuthFailed("token-refused");
        await CallRefusals.WriteAsync(context, StatusCode.Unauthenticated, await WhyUnauthenticatedAsync(context).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Why the request's token was refused (or that it has none), for any interface's refusal message; never the token.</summary>
    internal static async Task<string> WhyUnauthenticatedAsync(HttpContext context)
    {
        // The validation handler caches its result per request, so this does not validate the token again.
        var result = await context.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (result.None || !context.Request.Headers.Authorization.Any(v => v?.Length > 0))
        {
            return "No access token on the call; get one at POST /connect/token (client credentials) and send it as 'authorization: Bearer <token>'.";
        }

        var description = result.Properties?.Items.TryGetValue(OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription, out var d) == true ? d : null;
        return $"The access token was refused: {description ?? "it is not valid"} Request a new token at POST /connect/token.";
    }
}
