using System.CommandLine;
using System.Globalization;
using System.Text;
using Federation.Cli.Infrastructure;
using Federation.Contracts.V1;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary>
/// <c>fedctl admin report --from --to</c>: the coalition's transparency report — a table per day and for the period,
/// members' contributions (those below the minimum only counted together), as JSON with <c>-o json</c>, CSV with
/// <c>-o csv</c>, and an SVG chart of the days with <c>--svg file</c>.
/// </summary>
public static class ReportCommand
{
    private static readonly string[] Columns =
        ["date", "created", "corroborated", "confirmed", "disputed", "false_positive", "withdrawn", "retracted", "quarantined", "released", "overturned", "rejected", "deliveries", "delivery_p50_ms", "delivery_p99_ms"];

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "First day, YYYY-MM-DD (UTC)", Required = true };
        var to = new Option<string?>("--to") { Description = "Last day, YYYY-MM-DD (UTC; default: --from)" };
        var minimum = new Option<uint>("--min-member-contributions") { Description = "Members with fewer contributions are only counted together (default: the hub's, 10)" };
        var svg = new Option<string?>("--svg") { Description = "Also write an SVG chart of the days to this file" };
        var command = new Command("report", "The transparency report of a period: what was shared, disputed, quarantined and overturned, and how fast it was delivered.") { from, to, minimum, svg };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var first = ParseDay(context.Get(from));
            var last = context.Get(to) is { Length: > 0 } t ? ParseDay(t) : first;
            var report = await context.Client.Governance.GetTransparencyReportAsync(first, last, context.Get(minimum), cancellationToken);
            if (context.Get(svg) is { Length: > 0 } path)
            {
                await File.WriteAllTextAsync(path, TransparencyChart.Render(report), cancellationToken);
            }

            switch (context.Output)
            {
                case OutputFormat.Json:
                    context.WriteJson(report);
                    break;
                case OutputFormat.Csv:
                    context.WriteLine(Csv(report));
                    break;
                default:
                    WriteTables(context, report);
                    break;
            }

            return ExitCodes.Ok;
        });
    }

    /// <summary>One line per day and a <c>total</c> line, with a header.</summary>
    public static string Csv(TransparencyReport report)
    {
        var csv = new StringBuilder().AppendLine(string.Join(',', Columns));
        foreach (var day in report.Days)
        {
            csv.AppendLine(string.Join(',', Row(day.Date, day.Figures)));
        }

        csv.Append(string.Join(',', Row("total", report.Totals)));
        return csv.ToString();
    }

    private static void WriteTables(CliContext context, TransparencyReport report)
    {
        var days = new Table().Title($"Transparency report {report.FromDate} to {report.ToDate}").AddColumns(Columns);
        foreach (var day in report.Days)
        {
            days.AddRow(Row(day.Date, day.Figures));
        }

        days.AddRow(Row("total", report.Totals).Select(v => $"[bold]{v}[/]").ToArray());
        context.Console.Write(days);

        var types = new Table().Title("By signal type").AddColumns("type", "created", "corroborated");
        foreach (var type in report.Totals.Types_)
        {
            types.AddRow(type.Type.ToString(), Number(type.Created), Number(type.Corroborated));
        }

        context.Console.Write(types);
        var categories = new Table().Title("By category").AddColumns("category", "contributions");
        foreach (var category in report.Totals.Categories)
        {
            categories.AddRow(category.Category.ToString(), Number(category.Contributions));
        }

        context.Console.Write(categories);
        var members = new Table().Title($"By member (at least {report.MinMemberContributions} contributions)").AddColumns("member", "contributions");
        foreach (var member in report.Members)
        {
            members.AddRow(Markup.Escape(member.MemberId), Number(member.Contributions));
        }

        members.AddRow($"{report.OtherMembers} other member(s)", Number(report.OtherMemberContributions));
        context.Console.Write(members);
    }

    private static string[] Row(string label, TransparencyFigures f) =>
    [
        label,
        Number((ulong)f.Types_.Sum(t => (long)t.Created)),
        Number((ulong)f.Types_.Sum(t => (long)t.Corroborated)),
        Number(f.Opinions.Confirmed), Number(f.Opinions.Disputed), Number(f.Opinions.FalsePositive),
        Number(f.Withdrawn), Number(f.Retracted), Number(f.Quarantined), Number(f.Released), Number(f.Overturned), Number(f.Rejected),
        Number(f.Delivery?.Deliveries ?? 0), Number(f.Delivery?.P50Ms ?? 0), Number(f.Delivery?.P99Ms ?? 0),
    ];

    private static string Number(ulong n) => n.ToString(CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new ArgumentException($"'{text}' is not a date; write it as YYYY-MM-DD (UTC)");
}
