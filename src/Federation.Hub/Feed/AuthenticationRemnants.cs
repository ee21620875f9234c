using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace Federation.Hub.Feed;

/// <summary>
/// Empties what an admitted Subscribe call's authentication left behind in objects the call cannot drop itself
/// (<see cref="SubscribeRequestState"/>): claims identities, authentication results, AuthenticationService's cache.
/// </summary>
/// <remarks>
/// Measured with dotnet-gcdump on 5,000 idle streams after SubscribeRequestState had cleared every reference it could
/// reach: still 25 <see cref="Claim"/>s, their property dictionaries, the validated <c>JsonWebToken</c> and its ~1.5 KiB
/// of token text per stream, kept by the suspended middleware frames. The principal is built for this request alone
/// (OpenIddict validates the token per request), and nothing reads it after admission: the member is in the
/// <see cref="Auth.Caller"/> feature. Private members are reached through <see cref="UnsafeAccessorAttribute"/>s; a
/// framework version that renames one leaves that part held (as before), and AuthenticationRemnantsTests fails.
/// </remarks>
internal static class AuthenticationRemnants
{
    private static bool tokenSetterMissing;
    private static bool ticketSetterMissing;
    private static bool transformCacheMissing;

    /// <summary>Removes every claim, the token and the bootstrap context of each identity of <paramref name="principal"/>.</summary>
    public static void Empty(ClaimsPrincipal? principal)
    {
        if (principal is null)
        {
            return;
        }

        foreach (var identity in principal.Identities)
        {
            foreach (var claim in identity.Claims.ToList())
            {
                identity.TryRemoveClaim(claim);
            }

            identity.BootstrapContext = null;
            identity.Actor = null;
            if (identity is CaseSensitiveClaimsIdentity validated && !Volatile.Read(ref tokenSetterMissing))
            {
                try
                {
                    SetSecurityToken(validated, null);
                }
                catch (MissingMethodException)
                {
                    Volatile.Write(ref tokenSetterMissing, true);
                }
            }
        }
    }

    /// <summary>Drops the ticket (principal and properties) of <paramref name="result"/> after emptying its principal.</summary>
    public static void Forget(AuthenticateResult? result)
    {
        if (result?.Ticket is not { } ticket)
        {
            return;
        }

        Empty(ticket.Principal);
        ticket.Properties.Items.Clear();
        if (Volatile.Read(ref ticketSetterMissing))
        {
            return;
        }

        try
        {
            SetTicket(result, null);
        }
        catch (MissingMethodException)
        {
            Volatile.Write(ref ticketSetterMissing, true);
        }
    }

    /// <summary>Clears the principals AuthenticationService remembers having transformed (a request-scoped cache).</summary>
    public static void ForgetTransformed(IAuthenticationService? service)
    {
        if (service is not AuthenticationService known || Volatile.Read(ref transformCacheMissing))
        {
            return;
        }

        try
        {
            TransformCache(known)?.Clear();
        }
        catch (MissingFieldException)
        {
            Volatile.Write(ref transformCacheMissing, true);
        }
    }

    /// <summary>Whether <paramref name="service"/> still remembers a transformed principal (for tests).</summary>
    internal static bool HoldsTransformed(IAuthenticationService service) =>
        service is AuthenticationService known && TransformCache(known) is { Count: > 0 };

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_SecurityToken")]
    private static extern void SetSecurityToken(CaseSensitiveClaimsIdentity identity, SecurityToken? token);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_Ticket")]
    private static extern void SetTicket(AuthenticateResult result, AuthenticationTicket? ticket);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_transformCache")]
    private static extern ref HashSet<ClaimsPrincipal>? TransformCache(AuthenticationService service);
}
