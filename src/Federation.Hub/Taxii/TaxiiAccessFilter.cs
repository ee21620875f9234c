using System.Globalization;
using Federation.Hub.Admission;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Grpc;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Taxii;

/// <summary>
/// In front of every TAXII endpoint: the same token, scope (<c>signals.read</c>, the same authorization policy as the
/// gRPC read calls) and member rules (<see cref="MemberAccess"/>) as gRPC, answered as TAXII error messages (401 with
/// <c>WWW-Authenticate: Bearer</c>, 403 naming the scope or the member's status), then the Accept rule (406). Turns
/// failures behind the endpoint into TAXII errors: 503 with <c>Retry-After</c> while Redis or this replica's catalog
/// cannot answer. A TAXII request is work of the member like a look-up: it counts against the member's calls in progress
/// and waits for a slot of the replica's fair admission gate (a page of n objects costs as a look-up of n queries), so
/// a member paging TAXII flat out cannot slow the others' calls; over the limit it is refused with 429 and
/// <c>Retry-After</c>.
/// </summary>
public sealed class TaxiiAccessFilter(
    MemberAccess access, IAuthorizationService authorization, FairAdmissionGate gate, IOptions<FederationOptions> options, ILogger<TaxiiAccessFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            if (http.User.Identity?.IsAuthenticated != true)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                throw new TaxiiException(StatusCodes.Status401Unauthorized, "Unauthenticated", await GrpcAuthorizationResultHandler.WhyUnauthenticatedAsync(http).ConfigureAwait(false));
            }

            if (!(await authorization.AuthorizeAsync(http.User, FederationScopes.Read).ConfigureAwait(false)).Succeeded)
            {
                throw new TaxiiException(StatusCodes.Status403Forbidden, "Scope missing",
                    $"The access token does not grant the scope {FederationScopes.Read} that TAXII needs; request a token with scope={FederationScopes.Read} (the member must hold it).");
            }

            var result = await access.CheckAsync(http.User, "TAXII " + http.Request.Path).ConfigureAwait(false);
            switch (result?.Refusal)
            {
                case null:
                    throw new TaxiiException(StatusCodes.Status401Unauthorized, "Unauthenticated", "The access token names no member.");
                case MemberAccessRefusal.NotActive:
                    throw new TaxiiException(StatusCodes.Status403Forbidden, "Member not active", result.Message);
                case MemberAccessRefusal.CredentialsRotated:
                    http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                    throw new TaxiiException(StatusCodes.Status401Unauthorized, "Credentials rotated", result.Message);
            }

            if (!TaxiiMediaTypes.IsAcceptable(http.Request))
            {
                throw new TaxiiException(StatusCodes.Status406NotAcceptable, "Not acceptable",
                    $"This server answers only {TaxiiMediaTypes.Taxii}; send 'Accept: {TaxiiMediaTypes.Taxii}'.");
            }

            http.Features.Set(result.Caller!);
            var memberId = result.Caller!.MemberId;
            if (!gate.TryReserve(memberId, out var retryAfter))
            {
                http.Response.Headers.RetryAfter = GrpcResponses.RetryAfterSeconds(retryAfter);
                throw new TaxiiException(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"Member '{memberId}' already has as many Submit, Lookup and TAXII requests in progress on this hub replica as it may "
                    + "(docs/quotas.md); retry after the Retry-After delay and keep fewer requests in flight.");
            }

            try
            {
                using var slot = await gate.EnterAsync(memberId, PageCost(http), http.RequestAborted).ConfigureAwait(false);
                return await next(context).ConfigureAwait(false);
            }
            finally
            {
                gate.Unreserve(memberId);
            }
        }
        catch (TaxiiException e) when (!http.Response.HasStarted)
        {
            await TaxiiErrors.WriteAsync(http.Response, e.Status, e.Title, e.Description).ConfigureAwait(false);
        }
        catch (ReplicaNotReadyException e) when (!http.Response.HasStarted)
        {
            http.Response.Headers.RetryAfter = "1";
            await TaxiiErrors.WriteAsync(http.Response, StatusCodes.Status503ServiceUnavailable, "Not ready", e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !http.Response.HasStarted)
        {
            // No key names or values in the message (StoreConnection keeps them out of exception texts).
            logger.LogWarning("TAXII request refused: the store is unavailable ({Type})", e.GetType().Name);
            http.Response.Headers.RetryAfter = "1";
            await TaxiiErrors.WriteAsync(http.Response, StatusCodes.Status503ServiceUnavailable, "Store unavailable",
                "The hub cannot reach its store right now; retry in a moment.").ConfigureAwait(false);
        }

        return Results.Empty;
    }

    // Objects a request may return: its page size (limit, bounded by the server's maximum, or the default).
    private int PageCost(HttpContext http)
    {
        var taxii = options.Value.Taxii;
        return int.TryParse(http.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? Math.Min(limit, taxii.MaxPageSize)
            : taxii.DefaultPageSize;
    }
}
