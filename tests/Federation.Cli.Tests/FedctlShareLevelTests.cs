using System.Security.Cryptography;
using System.Text.Json;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Cli.Tests;

/// <summary>fedctl's labels (confidence, TLP, media item links), run as a process against a real hub and Redis.</summary>
public sealed class FedctlShareLevelTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [Fact]
    public async Task Submit_takes_labels_from_columns_and_options_and_lookup_filters_and_prints_them()
    {
        await LoginMemberAsync();
        var rated = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var defaulted = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var red = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var csv = Path.Combine(fedctl.Home, "labelled.csv");
        await File.WriteAllLinesAsync(csv,
        [
            "type,value,categories,confidence,share_level",
            $"sha256,{rated},csam,90,amber+strict",
            $"sha256,{defaulted},csam,,",
            $"sha256,{red},csam,50,tlp:red",
        ]);

        var submit = await fedctl.RunAsync("-o", "json", "submit", csv, "--confidence", "40", "--share-level", "clear");
        var table = await fedctl.RunAsync("lookup", "sha256:" + rated, "sha256:" + defaulted);
        var loose = await fedctl.RunAsync("-o", "json", "lookup", "sha256:" + rated, "sha256:" + defaulted, "--max-share-level", "green");
        var sure = await fedctl.RunAsync("-o", "json", "lookup", "sha256:" + defaulted, "--min-confidence", "50");
        var badLevel = await fedctl.RunAsync("lookup", "sha256:" + rated, "--max-share-level", "purple");

        Assert.True(submit.ExitCode == 3, submit.ToString());
        var summary = JsonDocument.Parse(submit.Stdout).RootElement;
        Assert.Equal(2, summary.GetProperty("created").GetInt32());
        var rejection = summary.GetProperty("rejections")[0];
        Assert.Equal(4, rejection.GetProperty("line").GetInt32());
        Assert.StartsWith("share_level.red:", rejection.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("amber+strict", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("clear", table.Stdout, StringComparison.Ordinal);
        var lines = loose.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(0, lines[0].GetProperty("result").TryGetProperty("matches", out var none) ? none.GetArrayLength() : 0);
        Assert.Equal(40, lines[1].GetProperty("result").GetProperty("matches")[0].GetProperty("signal").GetProperty("confidence").GetInt32());
        Assert.Equal(5, sure.ExitCode);
        Assert.Equal(1, badLevel.ExitCode);
        Assert.Contains("unknown share level 'purple'", badLevel.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_links_the_hashes_of_one_file_by_media_item_and_lookup_lists_them()
    {
        await LoginMemberAsync();
        var md5 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var sha256 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var csv = Path.Combine(fedctl.Home, "linked.csv");
        await File.WriteAllLinesAsync(csv, ["type,value,categories,media_item", $"md5,{md5},csam,photo-1", $"sha256,{sha256},csam,photo-1"]);

        var submit = await fedctl.RunAsync("submit", csv);
        var table = await fedctl.RunAsync("lookup", "md5:" + md5);
        var json = await fedctl.RunAsync("-o", "json", "lookup", "md5:" + md5);

        Assert.True(submit.ExitCode == 0, submit.ToString());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("+ sha256:" + sha256, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 (item 1)", table.Stdout, StringComparison.Ordinal);
        var match = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("result").GetProperty("matches")[0];
        Assert.Equal("sha256:" + sha256, match.GetProperty("linkedSignalIds")[0].GetString());
    }

    private async Task LoginMemberAsync()
    {
        var admin = await fedctl.LoginAdminAsync(fixture.Hub);
        Assert.True(admin.ExitCode == 0, admin.ToString());
        var memberId = "tlp-" + Guid.NewGuid().ToString("N")[..12];
        var created = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "members", "create", memberId, "--name", "TLP Test Co");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("clientSecret").GetString()!;
        var login = await fedctl.LoginAsync(fixture.Hub, memberId, secret);
        Assert.True(login.ExitCode == 0, login.ToString());
    }
}
