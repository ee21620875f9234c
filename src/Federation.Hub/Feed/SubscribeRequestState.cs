using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;

namespace Federation.Hub.Feed;

/// <summary>
/// Lets go of the request-scoped state a Subscribe call no longer needs once it is admitted, because the call lives for
/// hours and thousands of them stay open on one replica (docs/feed.md, "Memory per stream").
/// </summary>
/// <remarks>
/// Measured with dotnet-gcdump on 5,000 idle streams, each held ~33 KiB of managed heap, of which: one 4 KiB Kestrel
/// memory-pool block kept by the request body pipe (the request was read to its end, but the pipe's reader is only
/// completed when the call ends), ~3 KiB of bearer token text (the Authorization header and OpenIddict's copy), and
/// ~9 KiB of authentication results (the validated JWT, its claims principal with ~25 claims and their property
/// dictionaries, the authentication ticket, OpenIddict's server and validation transactions). The stream needs none of
/// it: the member was resolved into the <see cref="Auth.Caller"/> feature, <see cref="FeedAccessMonitor"/> ends the stream
/// when the member is suspended or its credentials change, and nothing reads the body or the user again.
/// The authentication result is also memoized by the validation handler itself (ASP.NET Core's
/// <c>AuthenticationHandler._authenticateTask</c>, so that a request authenticates once), and the handler lives in the
/// request's service scope for the whole call: that one private field is cleared through an
/// <see cref="UnsafeAccessorAttribute"/>. Should a framework version rename it, the call goes on holding the result
/// (as before) and <c>SubscribeRequestStateTests</c> fails.
/// </remarks>
internal static class SubscribeRequestState
{
    private static readonly ClaimsPrincipal Nobody = new(new ClaimsIdentity());
    private static bool handlerCacheMissing;

    /// <summary>Completes the (fully read) request body and drops the credentials and authentication results of <paramref name="http"/>.</summary>
    public static async ValueTask ReleaseAsync(HttpContext http)
    {
        // The middlewares that ran before this call are still suspended in it (each awaits the next one), and their
        // frames keep the results they computed: AuthenticationMiddleware its result, AuthorizationMiddleware the
        // policy's, AuthenticationService the principal in its transformation cache. None of them can be reached to
        // be cleared, but every one of them points to the same claims identities: emptying those (claims, the
        // validated token) lets go of what a result costs, whoever still holds it (measured: ~7 KiB per stream).
        AuthenticationRemnants.Empty(http.User);
        AuthenticationRemnants.Forget(http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult);
        AuthenticationRemnants.ForgetTransformed(http.RequestServices.GetService<IAuthenticationService>());
        await ForgetAuthenticationAsync(http).ConfigureAwait(false);

        // grpc-dotnet has read the one request message and its end of stream before the handler runs; completing the
        // reader now returns the body pipe's block to Kestrel's pool instead of at the end of the call.
        await http.Request.BodyReader.CompleteAsync().ConfigureAwait(false);

        // Setting the user also clears the authentication result (ticket, properties) ASP.NET Core keeps beside it.
        http.User = Nobody;
        http.Features.Set<IAuthenticateResultFeature>(null);
        http.Features.Set<OpenIddictValidationAspNetCoreFeature>(null);
        http.Features.Set<OpenIddictServerAspNetCoreFeature>(null);
        http.Request.Headers.Authorization = default;
    }

    /// <summary>Whether the request's validation handler still holds an authentication result (for tests).</summary>
    internal static async Task<bool> HoldsAuthenticationAsync(HttpContext http) =>
        await ValidationHandlerAsync(http).ConfigureAwait(false) is { } handler
            && HandlerCache<OpenIddictValidationAspNetCoreOptions>.AuthenticateTask(handler) is not null;

    private static async Task ForgetAuthenticationAsync(HttpContext http)
    {
        if (Volatile.Read(ref handlerCacheMissing) || await ValidationHandlerAsync(http).ConfigureAwait(false) is not { } handler)
        {
            return;
        }

        try
        {
            ref var memoized = ref HandlerCache<OpenIddictValidationAspNetCoreOptions>.AuthenticateTask(handler);
            if (memoized is { IsCompletedSuccessfully: true } task)
            {
                AuthenticationRemnants.Empty(task.Result.Principal);
                AuthenticationRemnants.Forget(task.Result);
            }

            memoized = null;
        }
        catch (MissingFieldException)
        {
            Volatile.Write(ref handlerCacheMissing, true);
        }
    }

    // The provider is scoped: this is the instance that authenticated the request (not a new one).
    private static async Task<AuthenticationHandler<OpenIddictValidationAspNetCoreOptions>?> ValidationHandlerAsync(HttpContext http) =>
        http.RequestServices.GetService<IAuthenticationHandlerProvider>() is { } provider
            ? await provider.GetHandlerAsync(http, OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false)
                as AuthenticationHandler<OpenIddictValidationAspNetCoreOptions>
            : null;

    private static class HandlerCache<TOptions>
        where TOptions : AuthenticationSchemeOptions, new()
    {
        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_authenticateTask")]
        public static extern ref Task<AuthenticateResult>? AuthenticateTask(AuthenticationHandler<TOptions> handler);
    }
}
