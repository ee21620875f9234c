using System.CommandLine;
using System.Globalization;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Client;
using Federation.Contracts.V1;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl lookup</c>: exact and PDQ near-match look-ups.</summary>
public static class LookupCommand
{
    public static Command Create()
    {
        var references = new Argument<string[]>("signals")
        {
            Description = "Signals as <type>:<value>, e.g. sha256:9f86d0..., pdq:..., url_hmac_sha256:<key id>:..., or url:https://... / account:platform:id (hashed locally)",
            Arity = ArgumentArity.OneOrMore,
        };
        var maxDistance = new Option<uint?>("--max-distance") { Description = "PDQ only: largest Hamming distance that matches (default: the hub's, 31)" };
        var maxMatches = new Option<uint>("--max-matches") { Description = "PDQ only: most matches per query (default 10)" };
        var minConfidence = new Option<uint>("--min-confidence") { Description = "Only matches whose confidence is at least this (0-100)" };
        var maxShareLevel = new Option<string?>("--max-share-level") { Description = "Only matches at most this restrictive: clear, green, amber, amber+strict" };
        var command = new Command("lookup", "Look signals up. Exit 0 when at least one query matched, 5 when none did, 3 when a query was invalid.")
        {
            references, maxDistance, maxMatches, minConfidence, maxShareLevel,
        };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var inputs = context.Get(references);
            var queries = inputs.Select(r =>
            {
                var signal = SignalNames.ParseReference(r);
                var query = new LookupQuery { Type = signal.Type, Value = signal.Value, KeyId = signal.KeyId, MaxMatches = context.Get(maxMatches) };
                if (context.Get(maxDistance) is { } distance)
                {
                    query.MaxDistance = distance;
                }

                return query;
            }).ToList();
            var filter = new LookupFilter
            {
                MinConfidence = context.Get(minConfidence),
                MaxShareLevel = context.Get(maxShareLevel) is { } level ? ShareLevelNames.Parse(level) : ShareLevel.Unspecified,
            };
            var results = await context.Client.LookupAsync(queries, filter, cancellationToken);
            if (context.Json)
            {
                foreach (var result in results)
                {
                    context.WriteJsonObject(("query", inputs[(int)result.Index]), ("result", result));
                }
            }
            else
            {
                var table = new Table().AddColumns("query", "match", "distance", "categories", "members", "opinions", "confidence", "tlp", "status");
                foreach (var result in results)
                {
                    var query = Markup.Escape(inputs[(int)result.Index]);
                    if (result.Error is { } error)
                    {
                        table.AddRow(query, "[red]invalid[/]", "", Markup.Escape(error.Description), "", "", "", "", "");
                    }
                    else if (result.Matches.Count == 0)
                    {
                        table.AddRow(query, "no match", "", "", "", "", "", "", "");
                    }

                    foreach (var match in result.Matches)
                    {
                        // Linked hashes of the same media item under the id; the item's members beside the hash's.
                        var id = Markup.Escape(match.Signal.Id) + string.Concat(match.LinkedSignalIds.Select(l => "\n[dim]+ " + Markup.Escape(l) + "[/]"));
                        var members = match.Signal.CorroborationCount.ToString(CultureInfo.InvariantCulture)
                            + (match.LinkedSignalIds.Count > 0 ? $" (item {match.ItemCorroborationCount.ToString(CultureInfo.InvariantCulture)})" : "");
                        table.AddRow(
                            query, id, match.Distance.ToString(CultureInfo.InvariantCulture), SignalView.Categories(match.Signal),
                            members, SignalView.Opinions(match.Signal),
                            SignalView.Confidence(match.Signal), ShareLevelNames.Name(match.Signal.ShareLevel), SignalView.Status(match.Signal));
                    }
                }

                context.Console.Write(table);
            }

            if (results.Any(r => r.Error is not null))
            {
                return ExitCodes.PartialRejects;
            }

            return results.Any(r => r.Matches.Count > 0) ? ExitCodes.Ok : ExitCodes.NotFound;
        });
    }
}
