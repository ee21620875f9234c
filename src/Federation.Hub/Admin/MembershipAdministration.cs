using System.Text.RegularExpressions;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Admin;

/// <summary>
/// The rules of membership: who may be admitted with which scopes and groups, which status
/// changes are allowed, and that every change is audited. The gRPC service only maps to and from it.
/// </summary>
public sealed partial class MembershipAdministration(MemberStore members, AuditLog audit, TimeProvider clock, ILogger<MembershipAdministration> logger)
{
    [GeneratedRegex("^[a-z][a-z0-9-]{2,63}$")]
    private static partial Regex MemberIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex GroupPattern();

    /// <summary>Admits a member; returns it with its secret (shown only now).</summary>
    public async Task<(MemberRecord Member, string Secret)> CreateAsync(
        string actor, string memberId, string displayName, IReadOnlyList<string> scopes, IReadOnlyList<string> groups, string? secret = null)
    {
        ValidateMemberId(memberId);
        ValidateText("display_name", displayName, 200);
        var grantedScopes = ValidateScopes(scopes);
        var validGroups = ValidateGroups(groups);

        secret ??= ClientSecretHasher.GenerateSecret();
        var now = clock.GetUtcNow();
        var member = new MemberRecord(memberId, displayName, MemberStatusCode.Active, grantedScopes, validGroups,
            now, now, now, "", ClientSecretHasher.Hash(secret));
        if (!await members.TryCreateAsync(member).ConfigureAwait(false))
        {
            throw HubErrors.AlreadyExists($"Member '{memberId}' already exists (member ids are never reused, even after removal).");
        }

        await audit.AppendAsync(actor, "member.create", memberId,
            $"scopes={string.Join(',', grantedScopes)} groups={string.Join(',', validGroups)}").ConfigureAwait(false);
        logger.LogInformation("Member {MemberId} created by {Actor}", memberId, actor);
        return (member, secret);
    }

    /// <summary>Reads a member or fails with NOT_FOUND.</summary>
    public async Task<MemberRecord> GetAsync(string memberId)
    {
        ValidateMemberId(memberId);
        return await members.GetAsync(memberId).ConfigureAwait(false)
            ?? throw HubErrors.NotFound($"Member '{memberId}' does not exist.");
    }

    /// <summary>A page of members after <paramref name="afterId"/>, optionally only those in <paramref name="status"/>.</summary>
    public async Task<(IReadOnlyList<MemberRecord> Page, string NextAfterId)> ListAsync(string afterId, int pageSize, MemberStatusCode? status)
    {
        var page = new List<MemberRecord>(pageSize);
        var cursor = afterId;
        while (page.Count < pageSize)
        {
            var (batch, last) = await members.ListAsync(cursor, pageSize).ConfigureAwait(false);
            if (last.Length == 0)
            {
                return (page, "");
            }

            cursor = last;
            foreach (var member in batch)
            {
                if (status is null || member.Status == status)
                {
                    page.Add(member);
                    if (page.Count == pageSize)
                    {
                        // Continue right after the last member returned, not after the whole batch.
                        cursor = member.Id;
                        break;
                    }
                }
            }
        }

        return (page, cursor);
    }

    /// <summary>Suspends an active member; its tokens and open streams are refused at once.</summary>
    public Task<MemberRecord> SuspendAsync(string actor, string memberId, string reason) =>
        ChangeStatusAsync(actor, memberId, reason, MemberStatusCode.Suspended, "member.suspend");

    /// <summary>Reinstates a suspended member.</summary>
    public Task<MemberRecord> ReinstateAsync(string actor, string memberId, string reason) =>
        ChangeStatusAsync(actor, memberId, reason, MemberStatusCode.Active, "member.reinstate");

    /// <summary>Removes a member for good.</summary>
    public Task<MemberRecord> RemoveAsync(string actor, string memberId, string reason) =>
        ChangeStatusAsync(actor, memberId, reason, MemberStatusCode.Removed, "member.remove");

    /// <summary>Issues a new secret; the old one and every token obtained with it stop working at once.</summary>
    public async Task<(MemberRecord Member, string Secret)> RotateAsync(string actor, string memberId)
    {
        var member = await GetAsync(memberId).ConfigureAwait(false);
        if (member.Status == MemberStatusCode.Removed)
        {
            throw HubErrors.FailedPrecondition($"Member '{memberId}' was removed; removed members get no credentials.");
        }

        var secret = ClientSecretHasher.GenerateSecret();
        var now = clock.GetUtcNow();
        var updated = member with { SecretHash = ClientSecretHasher.Hash(secret), CredentialsIssuedAt = now, UpdatedAt = now };
        // Told like a status change: every replica ends the feed streams opened with a token of the old credentials.
        await members.SaveAsync(updated, statusChanged: true).ConfigureAwait(false);
        await audit.AppendAsync(actor, "member.rotate-credentials", memberId, "").ConfigureAwait(false);
        return (updated, secret);
    }

    /// <summary>Replaces the member's sharing groups.</summary>
    public async Task<MemberRecord> SetGroupsAsync(string actor, string memberId, IReadOnlyList<string> groups)
    {
        var valid = ValidateGroups(groups);
        var member = await GetAsync(memberId).ConfigureAwait(false);
        var updated = member with { Groups = valid, UpdatedAt = clock.GetUtcNow() };
        // Group membership governs what open streams may deliver, so replicas are told like a status change.
        await members.SaveAsync(updated, statusChanged: true).ConfigureAwait(false);
        await audit.AppendAsync(actor, "member.set-groups", memberId, "groups=" + string.Join(',', valid)).ConfigureAwait(false);
        return updated;
    }

    private async Task<MemberRecord> ChangeStatusAsync(string actor, string memberId, string reason, MemberStatusCode target, string action)
    {
        ValidateText("reason", reason, 500);
        var member = await GetAsync(memberId).ConfigureAwait(false);
        if (member.Status == target)
        {
            return member;
        }

        if (member.Status == MemberStatusCode.Removed)
        {
            throw HubErrors.FailedPrecondition($"Member '{memberId}' was removed; removal is final. Create a new member instead.");
        }

        if (target != MemberStatusCode.Active && memberId == actor)
        {
            throw HubErrors.FailedPrecondition("An administrator cannot suspend or remove itself; ask another administrator.");
        }

        var updated = member with { Status = target, StatusReason = reason, UpdatedAt = clock.GetUtcNow() };
        await members.SaveAsync(updated, statusChanged: true).ConfigureAwait(false);
        await audit.AppendAsync(actor, action, memberId, reason.Length > 0 ? "reason=" + reason : "").ConfigureAwait(false);
        logger.LogInformation("Member {MemberId} is now {Status} ({Action} by {Actor})", memberId, target, action, actor);
        return updated;
    }

    private static void ValidateMemberId(string memberId)
    {
        if (!MemberIdPattern().IsMatch(memberId))
        {
            throw HubErrors.InvalidArgument("member_id", "must be 3-64 characters of a-z, 0-9 and '-', starting with a letter.");
        }
    }

    private static void ValidateText(string field, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            throw HubErrors.InvalidArgument(field, $"must be at most {maxLength} characters.");
        }
    }

    private static string[] ValidateScopes(IReadOnlyList<string> scopes)
    {
        if (scopes.Count == 0)
        {
            scopes = FederationScopes.MemberDefault;
        }

        foreach (var scope in scopes)
        {
            if (!FederationScopes.All.Contains(scope))
            {
                throw HubErrors.InvalidArgument("scopes", $"unknown scope '{scope}'; use {string.Join(", ", FederationScopes.All)}.");
            }
        }

        return scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    private static string[] ValidateGroups(IReadOnlyList<string> groups)
    {
        foreach (var group in groups)
        {
            if (!GroupPattern().IsMatch(group))
            {
                throw HubErrors.InvalidArgument("sharing_groups", $"group '{group}' must be 1-64 characters of a-z, 0-9 and '-'.");
            }
        }

        return groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }
}
