using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Admin;

/// <summary>
/// Creates the first administrator at start: from <c>Federation:Bootstrap</c> when configured,
/// otherwise — only when the hub has no member at all — an "admin" client whose generated secret
/// is written to <c>&lt;data&gt;/bootstrap-admin.secret</c> (owner-only), never to the log.
/// </summary>
public sealed class BootstrapAdministrator(
    MembershipAdministration administration, MemberStore members, IOptions<FederationOptions> options, ILogger<BootstrapAdministrator> logger)
    : IHostedService
{
    /// <summary>The actor recorded in the audit log for configuration-driven actions.</summary>
    public const string Actor = "bootstrap";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value.Bootstrap;
        if (bootstrap.AdminClientId.Length > 0)
        {
            if (bootstrap.AdminClientSecret.Length < 24)
            {
                throw new InvalidOperationException("Federation:Bootstrap:AdminClientSecret must be at least 24 characters.");
            }

            if (await members.GetAsync(bootstrap.AdminClientId).ConfigureAwait(false) is null)
            {
                await CreateAsync(bootstrap.AdminClientId, bootstrap.AdminClientSecret).ConfigureAwait(false);
                logger.LogInformation("Bootstrap administrator {ClientId} created from configuration", bootstrap.AdminClientId);
            }

            return;
        }

        if (await members.CountAsync().ConfigureAwait(false) > 0)
        {
            return;
        }

        var (_, secret) = await CreateAsync("admin", null).ConfigureAwait(false);
        var path = Path.GetFullPath(Path.Combine(options.Value.DataPath, "bootstrap-admin.secret"));
        SigningKeys.WriteOwnerOnly(path, secret + "\n");
        logger.LogWarning("No member existed: created administrator client 'admin'; its secret is in {Path} (readable by you only)", path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<(MemberRecord, string)> CreateAsync(string clientId, string? secret)
    {
        try
        {
            return await administration.CreateAsync(Actor, clientId, "Coalition administrator", FederationScopes.All, [], secret).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind == HubErrorKind.AlreadyExists)
        {
            // Another replica created it first.
            return ((await members.GetAsync(clientId).ConfigureAwait(false))!, secret ?? "");
        }
    }
}
