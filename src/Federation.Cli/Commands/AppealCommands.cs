using System.CommandLine;
using System.Globalization;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Contracts.V1;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary>
/// <c>fedctl action</c> (record what the member did on the strength of a signal) and <c>fedctl notices</c> (the signals it
/// acted on that were overturned, with its references): appeal propagation, docs/governance.md.
/// </summary>
public static class AppealCommands
{
    private static readonly string[] Kinds = ["content-removed", "account-actioned", "reported-to-hotline", "referred-to-law-enforcement", "other"];

    public static Command Action()
    {
        var reference = new Argument<string>("signal") { Description = "The signal as <type>:<value>" };
        var kind = new Argument<string>("kind") { Description = string.Join(", ", Kinds) };
        kind.AcceptOnlyFromAmong(Kinds);
        var yours = new Option<string>("--reference", "-r") { Description = "Your own reference for it (case or ticket id; never content)", Required = true };
        var group = new Option<string>("--group") { Description = "Sharing group of the record (default: coalition-wide)", DefaultValueFactory = _ => "" };
        var command = new Command("action", "Record that you acted on a signal, so you are told should it be overturned.") { reference, kind, yours, group };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var chosen = (ActionKind)(Array.IndexOf(Kinds, context.Get(kind)) + 1);
            var response = await context.Client.RecordActionAsync(SignalNames.ParseReference(context.Get(reference)), chosen, context.Get(yours)!, context.Get(group), cancellationToken);
            if (context.Json)
            {
                context.WriteJson(response);
            }
            else
            {
                context.WriteLine($"{context.Get(reference)}: {(response.Created ? "recorded" : "recorded before")}; {response.Actions.Count} action(s) of yours on it");
            }

            return ExitCodes.Ok;
        });
    }

    public static Command Notices()
    {
        var cursor = new Option<string?>("--cursor") { Description = "Continue after this notice's cursor (default: every notice kept)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep watching for new notices (Ctrl+C ends)" };
        var command = new Command("notices", "Signals you recorded an action on that were overturned, with your references.") { cursor, follow };
        return command.WithAction(async (context, cancellationToken) =>
        {
            await foreach (var notice in context.Client.WatchNoticesAsync(context.Get(cursor), untilCaughtUp: !context.Get(follow), cancellationToken))
            {
                if (context.Json)
                {
                    context.WriteJson(notice);
                    continue;
                }

                var actions = string.Join("; ", notice.Actions.Select(a => $"{Kinds[Math.Clamp((int)a.Kind - 1, 0, Kinds.Length - 1)]} {a.Reference}"));
                context.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{notice.OverturnedAt.ToDateTimeOffset():u} {notice.RecordId} {Cause(notice.Cause)}{(notice.Reason.Length > 0 ? ": " + notice.Reason : "")} — reverse: {actions} (cursor {notice.Cursor})"));
            }

            return ExitCodes.Ok;
        });
    }

    /// <summary><c>fedctl admin quarantine list|add|release|overturn</c>.</summary>
    public static Command Quarantine()
    {
        var quarantine = new Command("quarantine", "Signals withheld pending review: list them, quarantine, release or overturn one.");
        var reference = new Argument<string>("signal") { Description = "The signal as <type>:<value>" };
        var reason = new Option<string>("--reason", "-r") { Description = "Why (audited; an overturn's reason goes to the members that acted on it)", Required = true };
        var group = new Option<string>("--group") { Description = "Sharing group of the record (default: coalition-wide)", DefaultValueFactory = _ => "" };
        var benign = new Option<bool>("--benign") { Description = "Overturn only: also list the hash as known-benign" };

        var list = new Command("list", "Every quarantined signal, oldest first.");
        list.WithAction(async (context, cancellationToken) =>
        {
            var signals = await context.Client.Governance.ListQuarantinedAsync(cancellationToken);
            if (context.Json)
            {
                foreach (var signal in signals)
                {
                    context.WriteJson(signal);
                }

                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("signal", "since", "trigger", "opinions", "contributors", "reason");
            foreach (var item in signals)
            {
                table.AddRow(Markup.Escape(item.Signal.RecordId), item.Since.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                    item.Trigger.ToString(), SignalView.Opinions(item.Signal), item.Signal.CorroborationCount.ToString(CultureInfo.InvariantCulture), Markup.Escape(item.Reason));
            }

            context.Console.Write(table);
            return ExitCodes.Ok;
        });
        quarantine.Add(list);

        var minDisputes = new Option<uint>("--min") { Description = "Only signals with at least this many disputes and false-positive reports (default 1)" };
        var disputed = new Command("disputed", "Active signals members disputed, most disputed first (quarantined or not).") { minDisputes };
        disputed.WithAction(async (context, cancellationToken) =>
        {
            var signals = await context.Client.Governance.ListDisputedAsync(context.Get(minDisputes), cancellationToken);
            if (context.Json)
            {
                foreach (var signal in signals)
                {
                    context.WriteJson(signal);
                }

                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("signal", "status", "opinions", "contributors", "last seen");
            foreach (var signal in signals)
            {
                table.AddRow(Markup.Escape(signal.RecordId), SignalView.Status(signal), SignalView.Opinions(signal),
                    signal.CorroborationCount.ToString(CultureInfo.InvariantCulture), signal.LastSeen.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return ExitCodes.Ok;
        });
        quarantine.Add(disputed);
        quarantine.Add(Change("add", "Quarantine an active signal by hand.", (c, s, r, g, ct) => c.Client.Governance.QuarantineAsync(s, r, g, ct)));
        quarantine.Add(Change("release", "Release a quarantined signal (active again).", (c, s, r, g, ct) => c.Client.Governance.ReleaseAsync(s, r, g, ct)));

        var overturn = new Command("overturn", "Overturn a signal: a tombstone, and every member that acted on it is told.") { reference, reason, group, benign };
        overturn.WithAction(async (context, cancellationToken) =>
        {
            var response = await context.Client.Governance.OverturnAsync(
                SignalNames.ParseReference(context.Get(reference)), context.Get(reason)!, context.Get(benign), context.Get(group), cancellationToken);
            if (context.Json)
            {
                context.WriteJson(response);
            }
            else
            {
                context.WriteLine($"{response.Signal.RecordId}: {SignalView.Status(response.Signal)}; {response.ActingMembers} member(s) that acted on it will be told");
            }

            return ExitCodes.Ok;
        });
        quarantine.Add(overturn);
        return quarantine;

        Command Change(string name, string description, Func<CliContext, SignalRef, string, string, CancellationToken, Task<Signal>> apply)
        {
            var command = new Command(name, description) { reference, reason, group };
            return command.WithAction(async (context, cancellationToken) =>
            {
                var signal = await apply(context, SignalNames.ParseReference(context.Get(reference)), context.Get(reason)!, context.Get(group), cancellationToken);
                if (context.Json)
                {
                    context.WriteJson(signal);
                }
                else
                {
                    context.WriteLine($"{signal.RecordId}: {SignalView.Status(signal)}");
                }

                return ExitCodes.Ok;
            });
        }
    }

    private static string Cause(OverturnCause cause) => cause switch
    {
        OverturnCause.Retracted => "retracted by every contributor",
        OverturnCause.FalsePositiveQuorum => "overturned by the false-positive quorum",
        _ => "overturned by the administrators",
    };
}
