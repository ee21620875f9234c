using System.Collections.Immutable;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Federation.Hub.Auth;

/// <summary>
/// Authenticates a member at the token endpoint (OpenIddict runs without a database, in degraded
/// mode, so client authentication is ours): the client id names a member in Redis, the secret must
/// match its salted hash, the member must be active, and it may only ask for scopes it holds.
/// Before the (slow) secret check the attempt is charged to the guessing throttle (<see cref="TokenThrottleStore"/>);
/// a right secret gives it back. Every failure is audited (client id and address class, never the secret), and the
/// first throttled attempt per client id and source per interval.
/// </summary>
public sealed class ClientCredentialsValidator(
    MemberStore members, TokenThrottleStore throttle, AuditLog audit, ILogger<ClientCredentialsValidator> logger, HubMetrics metrics)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    /// <summary>Key under which the granted scopes travel to <see cref="ClientCredentialsSignIn"/>.</summary>
    public const string GrantedScopesProperty = "federation:granted-scopes";

    /// <summary>Key under which the member's credential stamp travels to <see cref="ClientCredentialsSignIn"/>.</summary>
    public const string CredentialStampProperty = "federation:credential-stamp";

    /// <summary>Registration of this handler with OpenIddict.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<ClientCredentialsValidator>()
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var clientId = context.Request.ClientId ?? "";
        var address = context.Transaction.GetHttpRequest()?.HttpContext.Connection.RemoteIpAddress;
        var subject = clientId.Length > 64 ? clientId[..64] : clientId;
        var possibleMember = IsPossibleMemberId(clientId);

        var attempt = await throttle.ReserveAsync(possibleMember ? clientId : null, TokenRequestSource.Key(address)).ConfigureAwait(false);
        if (!attempt.Admitted)
        {
            if (attempt.AuditRefusal)
            {
                var retry = (long)Math.Ceiling(attempt.RetryAfter.TotalSeconds);
                logger.LogWarning("Token requests for client {ClientId} from {Source} throttled ({Limit} limit, retry after {RetryAfter} s); further refusals this interval are not logged",
                    subject, TokenRequestSource.AuditClass(address), attempt.RefusedBy, retry);
                await audit.AppendAsync(subject, "auth.throttled", subject,
                    $"limit={attempt.RefusedBy} source={TokenRequestSource.AuditClass(address)} retry_after_s={retry}").ConfigureAwait(false);
            }

            metrics.AuthThrottled(attempt.RefusedBy ?? "unknown");
            throw new TokenRequestThrottledException(attempt.RetryAfter);
        }

        // Verify even for unknown ids (against a decoy) so timing does not reveal which ids exist; an id that cannot
        // name a member at all (wrong length or characters) reveals nothing by failing fast.
        var member = possibleMember ? await members.GetAsync(clientId).ConfigureAwait(false) : null;
        if (!possibleMember || !ClientSecretHasher.Verify(context.Request.ClientSecret, member?.SecretHash))
        {
            await RejectAsync(context, subject, address, OpenIddictConstants.Errors.InvalidClient,
                "The client credentials are invalid.", "bad-credentials").ConfigureAwait(false);
            return;
        }

        await throttle.SucceededAsync(attempt).ConfigureAwait(false);
        if (!member!.IsActive)
        {
            await RejectAsync(context, subject, address, OpenIddictConstants.Errors.InvalidClient,
                $"Member '{member.Id}' is {member.Status.ToString().ToLowerInvariant()}; contact the coalition administrator.",
                "member-" + member.Status.ToString().ToLowerInvariant()).ConfigureAwait(false);
            return;
        }

        var requested = context.Request.GetScopes();
        var notHeld = requested.Where(s => !member.Scopes.Contains(s)).ToArray();
        if (notHeld.Length > 0)
        {
            await RejectAsync(context, subject, address, OpenIddictConstants.Errors.InvalidScope,
                $"Member '{member.Id}' does not hold the scope(s): {string.Join(' ', notHeld)}.", "scope-not-held").ConfigureAwait(false);
            return;
        }

        context.Transaction.Properties[GrantedScopesProperty] =
            requested.IsDefaultOrEmpty ? member.Scopes.ToImmutableArray() : requested;
        context.Transaction.Properties[CredentialStampProperty] = CredentialStamp.Of(member);
    }

    // Member ids are 3-64 characters of a-z, 0-9 and '-' (MembershipAdministration); nothing else can be a member.
    private static bool IsPossibleMemberId(string clientId) =>
        clientId.Length is >= 3 and <= 64 && clientId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    private async Task RejectAsync(
        ValidateTokenRequestContext context, string subject, System.Net.IPAddress? address, string error, string description, string why)
    {
        context.Reject(error: error, description: description);
        metrics.AuthFailed(why);
        var source = TokenRequestSource.AuditClass(address);
        logger.LogWarning("Token request refused for client {ClientId} from {Source}: {Reason}", subject, source, why);
        await audit.AppendAsync(subject, "auth.failure", subject, $"reason={why} source={source}").ConfigureAwait(false);
    }
}
