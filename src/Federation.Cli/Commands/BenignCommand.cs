using System.CommandLine;
using System.Globalization;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Contracts.V1;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl admin benign add|remove|list</c>: the coalition's known-benign list.</summary>
public static class BenignCommand
{
    public static Command Create()
    {
        var benign = new Command("benign", "The known-benign list: hashes that must never circulate as abuse (submissions matching one are rejected, look-ups flag them).");
        var reference = new Argument<string>("signal") { Description = "The hash as <type>:<value>, e.g. sha256:9f86d0... or pdq:..." };
        var reason = new Option<string>("--reason", "-r") { Description = "Why (shown to members who match it; audited)", Required = true };
        var maxDistance = new Option<uint?>("--max-distance") { Description = "PDQ only: match distance (default: the hub's PDQ match distance)" };
        var add = new Command("add", "List a hash (or update its reason and distance).") { reference, reason, maxDistance };
        add.WithAction(async (context, cancellationToken) =>
        {
            var signal = SignalNames.ParseReference(context.Get(reference));
            var response = await context.Client.Governance.AddBenignAsync(signal.Type, signal.Value, context.Get(reason)!, context.Get(maxDistance), cancellationToken);
            Write(context, [response.Entry]);
            return ExitCodes.Ok;
        });
        benign.Add(add);

        var removeReason = new Option<string>("--reason", "-r") { Description = "Why (audited)" };
        var remove = new Command("remove", "Take a hash off the list.") { reference, removeReason };
        remove.WithAction(async (context, cancellationToken) =>
        {
            var signal = SignalNames.ParseReference(context.Get(reference));
            Write(context, [await context.Client.Governance.RemoveBenignAsync(signal.Type, signal.Value, context.Get(removeReason) ?? "", cancellationToken)]);
            return ExitCodes.Ok;
        });
        benign.Add(remove);

        var list = new Command("list", "Show the whole list.");
        list.WithAction(async (context, cancellationToken) =>
        {
            Write(context, await context.Client.Governance.ListBenignAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        benign.Add(list);
        return benign;
    }

    private static void Write(CliContext context, IReadOnlyList<BenignEntry> entries)
    {
        if (context.Json)
        {
            foreach (var entry in entries)
            {
                context.WriteJson(entry);
            }

            return;
        }

        var table = new Table().AddColumns("signal", "max distance", "reason", "added by", "added at");
        foreach (var entry in entries)
        {
            table.AddRow(Markup.Escape(entry.SignalId), entry.MaxDistance.ToString(CultureInfo.InvariantCulture), Markup.Escape(entry.Reason),
                Markup.Escape(entry.AddedBy), entry.AddedAt.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));
        }

        context.Console.Write(table);
    }
}
