using System.Security.Cryptography;
using System.Text.Json;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Cli.Tests;

/// <summary><c>fedctl admin benign</c> against a real hub and Redis, and its effect on a member's submit and lookup.</summary>
public sealed class FedctlBenignTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [Fact]
    public async Task Admin_lists_a_hash_and_the_member_submission_is_rejected_and_lookup_shows_the_flag()
    {
        await fedctl.LoginAdminAndNewMemberAsync(fixture);
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var csv = await fedctl.WriteSha256CsvAsync("one.csv", value);

        var added = await fedctl.RunAsync("-p", "admin", "admin", "benign", "add", "sha256:" + value, "--reason", "known false positive");
        var list = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "benign", "list");
        var submit = await fedctl.RunAsync("-o", "json", "submit", csv);
        var lookup = await fedctl.RunAsync("-o", "json", "lookup", "sha256:" + value);
        var removed = await fedctl.RunAsync("-p", "admin", "admin", "benign", "remove", "sha256:" + value, "--reason", "test over");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("known false positive", added.Stdout, StringComparison.Ordinal);
        Assert.Contains("sha256:" + value, list.Stdout, StringComparison.Ordinal);
        Assert.True(submit.ExitCode == 3, submit.ToString());
        var rejection = JsonDocument.Parse(submit.Stdout).RootElement.GetProperty("rejections")[0];
        Assert.StartsWith("benign.listed:", rejection.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"benign\"", lookup.Stdout, StringComparison.Ordinal);
        Assert.True(removed.ExitCode == 0, removed.ToString());
    }
}
