using System.Globalization;
using System.Security;
using System.Text;
namespace Federation.Contracts.V1;

/// <summary>
/// The transparency report's chart as a standalone SVG: per day a stacked bar of new signals and corroborations, and
/// beneath it the day's quarantines and overturns as a second, smaller stacked bar — the figures coalitions publish.
/// Plain SVG 1.1 without scripts or external references, so it embeds in any report or web page. One drawing for
/// <c>fedctl admin report --svg</c> and the hub's admin console.
/// </summary>
public static class TransparencyChart
{
    private const int Width = 960, Height = 445, Left = 70, Right = 20, Top = 50, Main = 240, Gap = 30, Lower = 60;

    /// <summary>The chart of <paramref name="report"/>'s days.</summary>
    public static string Render(TransparencyReport report)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>Transparency report {Escape(report.FromDate)} to {Escape(report.ToDate)}</title>");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Signals shared per day, {Escape(report.FromDate)} to {Escape(report.ToDate)}</text>");

        var days = report.Days;
        var shared = days.Select(d => (Created: Sum(d.Figures, t => t.Created), Corroborated: Sum(d.Figures, t => t.Corroborated))).ToArray();
        var governed = days.Select(d => (Quarantined: (double)d.Figures.Quarantined, Overturned: (double)d.Figures.Overturned)).ToArray();
        var top = Math.Max(1, shared.Select(s => s.Created + s.Corroborated).DefaultIfEmpty(0).Max());
        var lowerTop = Math.Max(1, governed.Select(g => g.Quarantined + g.Overturned).DefaultIfEmpty(0).Max());
        var slot = (Width - Left - Right) / (double)Math.Max(1, days.Count);
        var bar = Math.Max(1, slot * 0.7);

        Axis(svg, Top, Main, top);
        Axis(svg, Top + Main + Gap, Lower, lowerTop);
        for (var i = 0; i < days.Count; i++)
        {
            var x = Left + (i * slot) + ((slot - bar) / 2);
            Stack(svg, x, bar, Top + Main, Main / top, (shared[i].Created, "#2f6db5", "new signals"), (shared[i].Corroborated, "#8fb8e8", "corroborations"), days[i].Date);
            Stack(svg, x, bar, Top + Main + Gap + Lower, Lower / lowerTop, (governed[i].Quarantined, "#e0a030", "quarantined"), (governed[i].Overturned, "#c0392b", "overturned"), days[i].Date);
            // About ten date labels at most, so they never overlap.
            if (days.Count <= 12 || i % ((days.Count + 9) / 10) == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (bar / 2):0.#}\" y=\"{Top + Main + Gap + Lower + 16}\" text-anchor=\"middle\" font-size=\"10\">{Escape(days[i].Date[5..])}</text>");
            }
        }

        Legend(svg, Height - 18, ("#2f6db5", "new signals"), ("#8fb8e8", "corroborations"), ("#e0a030", "quarantined"), ("#c0392b", "overturned"));
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static double Sum(TransparencyFigures figures, Func<SignalTypeFigures, ulong> pick) => figures.Types_.Sum(t => (double)pick(t));

    private static void Axis(StringBuilder svg, int y, int height, double top)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y + height}\" x2=\"{Width - Right}\" y2=\"{y + height}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y}\" x2=\"{Left}\" y2=\"{y + height}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4}\" text-anchor=\"end\">{top:0}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + height}\" text-anchor=\"end\">0</text>");
    }

    private static void Stack(StringBuilder svg, double x, double width, double baseline, double scale, (double Value, string Color, string Name) lower, (double Value, string Color, string Name) upper, string date)
    {
        var y = baseline;
        foreach (var (value, color, name) in new[] { lower, upper })
        {
            if (value <= 0)
            {
                continue;
            }

            var h = value * scale;
            y -= h;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{width:0.##}\" height=\"{h:0.##}\" fill=\"{color}\"><title>{Escape(date)}: {value:0} {name}</title></rect>");
        }
    }

    private static void Legend(StringBuilder svg, int y, params (string Color, string Name)[] items)
    {
        var x = Left;
        foreach (var (color, name) in items)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y - 10}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{x + 16}\" y=\"{y}\">{name}</text>");
            x += 150;
        }
    }

    private static string Escape(string text) => SecurityElement.Escape(text);
}
