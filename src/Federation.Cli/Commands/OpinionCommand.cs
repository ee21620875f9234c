using System.CommandLine;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Contracts.V1;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl opinion</c>: record, change or withdraw the member's opinion of a signal.</summary>
public static class OpinionCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("signal") { Description = "The signal as <type>:<value>" };
        var opinion = new Argument<string>("opinion") { Description = "confirmed, disputed, false-positive, or none (withdraws yours)" };
        opinion.AcceptOnlyFromAmong("confirmed", "disputed", "false-positive", "none");
        var group = new Option<string>("--group") { Description = "Sharing group of the record (default: coalition-wide)", DefaultValueFactory = _ => "" };
        var command = new Command("opinion", "Record, change or withdraw your opinion of a signal.") { reference, opinion, group };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var signal = SignalNames.ParseReference(context.Get(reference));
            var chosen = context.Get(opinion) switch
            {
                "confirmed" => Opinion.Confirmed,
                "disputed" => Opinion.Disputed,
                "false-positive" => Opinion.FalsePositive,
                _ => Opinion.Unspecified,
            };
            var response = await context.Client.SetOpinionAsync(signal, chosen, context.Get(group), cancellationToken);
            if (context.Json)
            {
                context.WriteJson(response);
            }
            else
            {
                context.WriteLine($"{response.Signal.Id}: opinion {context.Get(opinion)} {(response.Changed ? "recorded" : "unchanged")}; opinions {SignalView.Opinions(response.Signal)}");
            }

            return ExitCodes.Ok;
        });
    }
}
