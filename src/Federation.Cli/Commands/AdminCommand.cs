using System.CommandLine;
using System.Globalization;
using Federation.Cli.Infrastructure;
using Federation.Cli.Profiles;
using Federation.Contracts.V1;
using Federation.Core.Auth;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl admin</c>: coalition administration (scope federation.admin) and bootstrap.</summary>
public static class AdminCommand
{
    public static Command Create()
    {
        var admin = new Command("admin", "Coalition administration: members, audit log, statistics (needs a profile with scope federation.admin), and bootstrap.");
        admin.Add(MembersCommand());
        admin.Add(AuditCommand());
        admin.Add(StatsCommand());
        admin.Add(BenignCommand.Create());
        admin.Add(AppealCommands.Quarantine());
        admin.Add(BootstrapCommand());
        return admin;
    }

    private static Command MembersCommand()
    {
        var members = new Command("members", "Admit, list, read, suspend, reinstate, rotate and remove members.");
        var id = new Argument<string>("member-id") { Description = "The member's client id" };

        var name = new Option<string>("--name") { Description = "Display name, e.g. the company name", Required = true };
        var scopes = new Option<string[]>("--scope") { Description = "Scope it may request (repeatable); default signals.submit signals.read", AllowMultipleArgumentsPerToken = true };
        var groups = new Option<string[]>("--group") { Description = "Sharing group it belongs to (repeatable)", AllowMultipleArgumentsPerToken = true };
        var create = new Command("create", "Admit a member; prints its client secret once.") { id, name, scopes, groups };
        create.WithAction(async (context, cancellationToken) =>
        {
            var response = await context.Client.Membership.CreateAsync(context.Get(id), context.Get(name), context.Get(scopes), context.Get(groups), cancellationToken);
            WriteMember(context, response.Member, response.ClientSecret);
            return ExitCodes.Ok;
        });
        members.Add(create);

        var status = new Option<string?>("--status") { Description = "Only members in this status: active, suspended or removed" };
        status.AcceptOnlyFromAmong("active", "suspended", "removed");
        var list = new Command("list", "List members ordered by id.") { status };
        list.WithAction(async (context, cancellationToken) =>
        {
            var filter = context.Get(status) switch
            {
                "active" => MemberStatus.Active,
                "suspended" => MemberStatus.Suspended,
                "removed" => MemberStatus.Removed,
                _ => MemberStatus.Unspecified,
            };
            var table = new Table().AddColumns("member", "name", "status", "scopes", "groups", "created");
            await foreach (var member in context.Client.Membership.ListAsync(filter, cancellationToken: cancellationToken))
            {
                if (context.Json)
                {
                    context.WriteJson(member);
                }
                else
                {
                    table.AddRow(
                        member.MemberId, Markup.Escape(member.DisplayName), Status(member.Status), string.Join(' ', member.Scopes), string.Join(' ', member.SharingGroups),
                        member.CreatedAt?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "");
                }
            }

            if (!context.Json)
            {
                context.Console.Write(table);
            }

            return ExitCodes.Ok;
        });
        members.Add(list);

        var get = new Command("get", "Show one member.") { id };
        get.WithAction(async (context, cancellationToken) =>
        {
            WriteMember(context, await context.Client.Membership.GetAsync(context.Get(id), cancellationToken), null);
            return ExitCodes.Ok;
        });
        members.Add(get);

        members.Add(WithReason("suspend", "Suspend a member: its tokens are refused and its streams end at once.", id, (c, m, r, t) => c.Membership.SuspendAsync(m, r, t)));
        members.Add(WithReason("reinstate", "Lift a suspension.", id, (c, m, r, t) => c.Membership.ReinstateAsync(m, r, t)));
        members.Add(WithReason("remove", "Remove a member for good (its contributions stay for audit).", id, (c, m, r, t) => c.Membership.RemoveAsync(m, r, t)));

        var rotate = new Command("rotate", "Issue a new client secret (printed once); the old one stops working at once.") { id };
        rotate.WithAction(async (context, cancellationToken) =>
        {
            var response = await context.Client.Membership.RotateCredentialsAsync(context.Get(id), cancellationToken);
            WriteMember(context, response.Member, response.ClientSecret);
            return ExitCodes.Ok;
        });
        members.Add(rotate);

        var groupList = new Argument<string[]>("groups") { Description = "The complete new list of sharing groups", Arity = ArgumentArity.ZeroOrMore };
        var setGroups = new Command("groups", "Replace the sharing groups a member belongs to.") { id, groupList };
        setGroups.WithAction(async (context, cancellationToken) =>
        {
            WriteMember(context, await context.Client.Membership.SetGroupsAsync(context.Get(id), context.Get(groupList) ?? [], cancellationToken), null);
            return ExitCodes.Ok;
        });
        members.Add(setGroups);
        return members;
    }

    private static Command WithReason(
        string name, string description, Argument<string> id, Func<Federation.Client.FederationClient, string, string, CancellationToken, Task<Member>> change)
    {
        var reason = new Option<string>("--reason") { Description = "Why; recorded in the audit log", Required = true };
        var command = new Command(name, description) { id, reason };
        return command.WithAction(async (context, cancellationToken) =>
        {
            WriteMember(context, await change(context.Client, context.Get(id), context.Get(reason), cancellationToken), null);
            return ExitCodes.Ok;
        });
    }

    private static Command AuditCommand()
    {
        var limit = new Option<int>("--limit") { Description = "Most entries to print (default 100)", DefaultValueFactory = _ => 100 };
        var after = new Option<string>("--page-token") { Description = "Continue from a previous run's next page token", DefaultValueFactory = _ => "" };
        var command = new Command("audit", "Read the tamper-evident audit log, oldest first; exit 6 when the hash chain does not verify.") { limit, after };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var token = context.Get(after);
            var remaining = context.Get(limit);
            var verified = true;
            var events = new List<AuditEvent>();
            while (remaining > 0)
            {
                var page = await context.Client.Membership.ListAuditPageAsync(token, (uint)Math.Min(remaining, 1000), cancellationToken);
                verified &= page.ChainVerified;
                events.AddRange(page.Events.Take(remaining));
                remaining -= page.Events.Count;
                token = page.NextPageToken;
                if (token.Length == 0 || page.Events.Count == 0)
                {
                    break;
                }
            }

            if (context.Json)
            {
                events.ForEach(context.WriteJson);
            }
            else
            {
                var table = new Table().AddColumns("seq", "time", "actor", "action", "subject", "detail");
                foreach (var e in events)
                {
                    table.AddRow(
                        e.Sequence.ToString(CultureInfo.InvariantCulture), e.Time?.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) ?? "",
                        Markup.Escape(e.Actor), Markup.Escape(e.Action), Markup.Escape(e.Subject), Markup.Escape(e.Detail));
                }

                context.Console.Write(table);
                context.WriteLine($"chain {(verified ? "verified" : "BROKEN")}; next page token: {(token.Length == 0 ? "(none)" : token)}");
            }

            if (!verified)
            {
                await Console.Error.WriteLineAsync("fedctl: error: conflict: the audit log's hash chain does not verify");
                return ExitCodes.Conflict;
            }

            return ExitCodes.Ok;
        });
    }

    private static Command StatsCommand()
    {
        var command = new Command("stats", "Coalition-wide counts: members by status, signals by type, feed and audit sizes.");
        return command.WithAction(async (context, cancellationToken) =>
        {
            var stats = await context.Client.Membership.GetStatsAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson(stats);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("figure", "value");
            table.AddRow("active members", stats.ActiveMembers.ToString(CultureInfo.InvariantCulture));
            table.AddRow("suspended members", stats.SuspendedMembers.ToString(CultureInfo.InvariantCulture));
            table.AddRow("removed members", stats.RemovedMembers.ToString(CultureInfo.InvariantCulture));
            table.AddRow("signals ever created", stats.SignalsTotal.ToString(CultureInfo.InvariantCulture));
            foreach (var count in stats.ActiveSignals)
            {
                table.AddRow($"active {Input.SignalNames.TypeName(count.Type)}", count.Count.ToString(CultureInfo.InvariantCulture));
            }

            table.AddRow("feed entries", stats.FeedEntries.ToString(CultureInfo.InvariantCulture));
            table.AddRow("audit events", stats.AuditEvents.ToString(CultureInfo.InvariantCulture));
            context.Console.Write(table);
            return ExitCodes.Ok;
        });
    }

    private static Command BootstrapCommand()
    {
        var clientId = new Option<string>("--client-id") { Description = "Client id of the first administrator", DefaultValueFactory = _ => "admin" };
        var hub = new Option<string?>("--hub") { Description = "With --save-profile: the hub's gRPC address" };
        var save = new Option<string?>("--save-profile") { Description = "Also save a fedctl profile with these credentials and scope federation.admin" };
        var command = new Command("bootstrap", "Generate the first administrator's credentials offline: prints the secret and the environment lines " +
            "(Federation__Bootstrap__AdminClientId / AdminClientSecret) to give the hub; the hub creates the administrator on start.")
        {
            clientId, hub, save,
        };
        return command.WithAction((context, _) =>
        {
            var id = context.Get(clientId);
            var secret = ClientSecrets.Generate();
            var environment = new Dictionary<string, string>
            {
                ["Federation__Bootstrap__AdminClientId"] = id,
                ["Federation__Bootstrap__AdminClientSecret"] = secret,
            };
            if (context.Get(save) is { } profileName)
            {
                var address = CliException.AbsoluteUri(context.Get(hub) ?? throw CliException.Usage("--save-profile needs --hub"), "--hub");
                context.Profiles.Save(profileName, new ProfileSettings { Hub = address.ToString(), ClientId = id, Scopes = ["federation.admin"] }, secret);
            }

            if (context.Json)
            {
                context.WritePlainJson(new { clientId = id, clientSecret = secret, environment, profile = context.Get(save) });
            }
            else
            {
                context.WriteLine("# Give the hub these settings (environment, or --Federation:Bootstrap:... arguments); keep the secret safe, it is not stored anywhere else:");
                foreach (var (key, value) in environment)
                {
                    context.WriteLine($"{key}={value}");
                }

                if (context.Get(save) is { } saved)
                {
                    context.WriteLine($"# Saved as fedctl profile '{saved}': fedctl --profile {saved} admin stats");
                }
            }

            return Task.FromResult(ExitCodes.Ok);
        });
    }

    private static string Status(MemberStatus status) => status.ToString().ToLowerInvariant();

    private static void WriteMember(CliContext context, Member member, string? secret)
    {
        if (context.Json)
        {
            if (secret is null)
            {
                context.WriteJson(member);
            }
            else
            {
                context.WriteJsonObject(("member", member), ("clientSecret", secret));
            }

            return;
        }

        var table = new Table().AddColumns("field", "value");
        table.AddRow("member", member.MemberId);
        table.AddRow("name", Markup.Escape(member.DisplayName));
        table.AddRow("status", Status(member.Status));
        table.AddRow("scopes", string.Join(' ', member.Scopes));
        table.AddRow("groups", string.Join(' ', member.SharingGroups));
        if (member.StatusReason.Length > 0)
        {
            table.AddRow("reason", Markup.Escape(member.StatusReason));
        }

        context.Console.Write(table);
        if (secret is not null)
        {
            context.WriteLine($"client secret (shown once): {secret}");
        }
    }
}
