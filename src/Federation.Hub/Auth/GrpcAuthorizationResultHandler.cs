using System.Globalization;
using System.Text;
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
/// Other requests keep ASP.NET Core's behaviour.
/// </summary>
public sealed class GrpcAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private const int Unauthenticated = 16;
    private const int PermissionDenied = 7;
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || !IsGrpc(context.Request))
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).ToArray() ?? [];
            WriteStatus(context, PermissionDenied, missing.Length > 0
                ? $"The access token does not grant the scope {string.Join(", ", missing)} that this call needs; request a token with scope={string.Join(' ', missing)} (the member must hold it)."
                : "The access token does not allow this call.");
            return;
        }

        WriteStatus(context, Unauthenticated, await WhyUnauthenticatedAsync(context).ConfigureAwait(false));
    }

    /// <summary>The gRPC HTTP/2 percent-encoding of <c>grpc-message</c>: UTF-8, bytes outside 0x20-0x7E and '%' as %XX.</summary>
    public static string PercentEncode(string message)
    {
        var encoded = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task<string> WhyUnauthenticatedAsync(HttpContext context)
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

    private static void WriteStatus(HttpContext context, int status, string message)
    {
        // Trailers-only response (gRPC over HTTP/2): the status travels in the headers of an empty 200 response.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }
}
