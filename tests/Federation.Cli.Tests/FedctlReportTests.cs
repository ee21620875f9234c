using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Federation.Hub.Governance;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Cli.Tests;

/// <summary><c>fedctl admin report</c> against a real hub and Redis: the same report as a table, JSON, CSV and an SVG chart.</summary>
public sealed class FedctlReportTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [Fact]
    public async Task The_report_prints_as_a_table_json_and_csv_and_draws_an_svg_chart()
    {
        await fedctl.LoginAdminAndNewMemberAsync(fixture);
        var csvIn = await fedctl.WriteSha256CsvAsync("three.csv", [.. Enumerable.Range(0, 3).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)))]);
        Assert.Equal(0, (await fedctl.RunAsync("submit", csvIn)).ExitCode);
        await fixture.Hub.Services.GetRequiredService<TransparencyCounters>().FlushAsync();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var svgPath = Path.Combine(fedctl.Home, "report.svg");

        var table = await fedctl.RunAsync("-p", "admin", "admin", "report", "--from", today, "--svg", svgPath);
        var json = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "report", "--from", today);
        var csv = await fedctl.RunAsync("-p", "admin", "-o", "csv", "admin", "report", "--from", today, "--min-member-contributions", "1");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Transparency report", table.Stdout, StringComparison.Ordinal);
        Assert.Equal("3", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("totals").GetProperty("types")[0].GetProperty("created").GetString());
        var lines = csv.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("date,created,corroborated,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(today + ",3,0,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("total,3,0,", lines[^1], StringComparison.Ordinal);
        var svg = XDocument.Load(svgPath);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Contains(svg.Descendants(ns + "rect"), r => r.Element(ns + "title")?.Value == $"{today}: 3 new signals");
    }
}
