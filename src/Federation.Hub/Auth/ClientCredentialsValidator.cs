using System.Collections.Immutable;
using Federation.Hub.Storage;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Federation.Hub.Auth;

/// <summary>
/// Authenticates a member at the token endpoint (OpenIddict runs without a database, in degraded
/// mode, so client authentication is ours): the client id names a member in Redis, the secret must
/// match its salted hash, the member must be active, and it may only ask for scopes it holds.
/// Every failure is audited (client id only, never the secret).
/// </summary>
public sealed class ClientCredentialsValidator(MemberStore members, AuditLog audit, ILogger<ClientCredentialsValidator> logger)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    /// <summary>Key under which the granted scopes travel to <see cref="ClientCredentialsSignIn"/>.</summary>
    public const string GrantedScopesProperty = "federation:granted-scopes";

    /// <summary>Registration of this handler with OpenIddict.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<ClientCredentialsValidator>()
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var clientId = context.Request.ClientId ?? "";
        var member = clientId.Length is > 0 and <= 64 ? await members.GetAsync(clientId).ConfigureAwait(false) : null;

        // Verify even for unknown ids (against a decoy) so timing does not reveal which ids exist.
        if (!ClientSecretHasher.Verify(context.Request.ClientSecret, member?.SecretHash))
        {
            await RejectAsync(context, clientId, OpenIddictConstants.Errors.InvalidClient,
                "The client credentials are invalid.", "bad-credentials").ConfigureAwait(false);
            return;
        }

        if (!member!.IsActive)
        {
            await RejectAsync(context, clientId, OpenIddictConstants.Errors.InvalidClient,
                $"Member '{member.Id}' is {member.Status.ToString().ToLowerInvariant()}; contact the coalition administrator.",
                "member-" + member.Status.ToString().ToLowerInvariant()).ConfigureAwait(false);
            return;
        }

        var requested = context.Request.GetScopes();
        var notHeld = requested.Where(s => !member.Scopes.Contains(s)).ToArray();
        if (notHeld.Length > 0)
        {
            await RejectAsync(context, clientId, OpenIddictConstants.Errors.InvalidScope,
                $"Member '{member.Id}' does not hold the scope(s): {string.Join(' ', notHeld)}.", "scope-not-held").ConfigureAwait(false);
            return;
        }

        context.Transaction.Properties[GrantedScopesProperty] =
            requested.IsDefaultOrEmpty ? member.Scopes.ToImmutableArray() : requested;
    }

    private async Task RejectAsync(ValidateTokenRequestContext context, string clientId, string error, string description, string why)
    {
        context.Reject(error: error, description: description);
        var subject = clientId.Length > 64 ? clientId[..64] : clientId;
        logger.LogWarning("Token request refused for client {ClientId}: {Reason}", subject, why);
        await audit.AppendAsync(subject, "auth.failure", subject, "reason=" + why).ConfigureAwait(false);
    }
}
