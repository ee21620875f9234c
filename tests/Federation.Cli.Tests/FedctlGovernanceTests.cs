using System.Security.Cryptography;
using System.Text.Json;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Cli.Tests;

/// <summary>
/// <c>fedctl action</c>, <c>fedctl notices</c> and <c>fedctl admin quarantine</c> against a real hub and Redis: a member
/// records an action, an administrator quarantines, lists and overturns the signal, and the member's notices show it.
/// </summary>
public sealed class FedctlGovernanceTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [Fact]
    public async Task A_member_records_an_action_an_administrator_quarantines_and_overturns_and_the_member_is_told()
    {
        await fedctl.LoginAdminAndNewMemberAsync(fixture);
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var csv = await fedctl.WriteSha256CsvAsync("one.csv", value);
        var reference = "sha256:" + value;

        var submit = await fedctl.RunAsync("submit", csv);
        var action = await fedctl.RunAsync("action", reference, "content-removed", "--reference", "case-42");
        var quarantined = await fedctl.RunAsync("-p", "admin", "admin", "quarantine", "add", reference, "--reason", "under review");
        var list = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "quarantine", "list");
        var overturned = await fedctl.RunAsync("-p", "admin", "admin", "quarantine", "overturn", reference, "--reason", "stock photo");
        Fedctl.Result? notices = null;
        for (var attempt = 0; attempt < 20 && !(notices?.Stdout.Contains("case-42", StringComparison.Ordinal) ?? false); attempt++)
        {
            notices = await fedctl.RunAsync("-o", "json", "notices");
            if (!notices.Stdout.Contains("case-42", StringComparison.Ordinal))
            {
                await Task.Delay(250); // the dispatcher writes notices within moments of the overturn
            }
        }

        Assert.True(submit.ExitCode == 0, submit.ToString());
        Assert.True(action.ExitCode == 0, action.ToString());
        Assert.Contains("recorded", action.Stdout, StringComparison.Ordinal);
        Assert.True(quarantined.ExitCode == 0, quarantined.ToString());
        Assert.Contains("quarantined", quarantined.Stdout, StringComparison.Ordinal);
        Assert.Contains(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains(reference, StringComparison.Ordinal) && line.Contains("under review", StringComparison.Ordinal));
        Assert.True(overturned.ExitCode == 0, overturned.ToString());
        Assert.Contains("1 member(s)", overturned.Stdout, StringComparison.Ordinal);
        Assert.NotNull(notices);
        Assert.True(notices.ExitCode == 0, notices.ToString());
        var notice = JsonDocument.Parse(notices.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]).RootElement;
        Assert.Equal(reference, notice.GetProperty("recordId").GetString());
        Assert.Equal("stock photo", notice.GetProperty("reason").GetString());
        Assert.Equal("case-42", notice.GetProperty("actions")[0].GetProperty("reference").GetString());
    }
}
