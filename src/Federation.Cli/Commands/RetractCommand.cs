using System.CommandLine;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl retract</c>: withdraw the member's own contributions.</summary>
public static class RetractCommand
{
    public static Command Create()
    {
        var references = new Argument<string[]>("signals") { Description = "Signals as <type>:<value>", Arity = ArgumentArity.OneOrMore };
        var group = new Option<string>("--group") { Description = "Sharing group of the records (default: coalition-wide)", DefaultValueFactory = _ => "" };
        var command = new Command("retract", "Withdraw your contribution to signals; a signal nobody backs any more becomes retracted.") { references, group };
        return command.WithAction(async (context, cancellationToken) =>
        {
            foreach (var reference in context.Get(references))
            {
                var signal = await context.Client.RetractAsync(SignalNames.ParseReference(reference), context.Get(group), cancellationToken);
                if (context.Json)
                {
                    context.WriteJson(signal);
                }
                else
                {
                    context.WriteLine($"{signal.Id}: retracted; status {SignalView.Status(signal)}, backed by {signal.CorroborationCount} member(s)");
                }
            }

            return ExitCodes.Ok;
        });
    }
}
