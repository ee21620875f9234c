using System.Text.Json;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Governance;
using Federation.Hub.Tests.Infrastructure;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.AdminConsole;

/// <summary>
/// The admin console in a real headless Chromium against a real hub and Redis: an administrator signs in at the token
/// endpoint, sees members, releases a quarantined signal, reads the verified audit log and the transparency chart. With
/// FEDERATION_UPDATE_SCREENSHOTS=1 the screenshots are written to docs/console/.
/// </summary>
public sealed class AdminConsoleTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [ChromiumFact]
    public async Task An_administrator_signs_in_sees_members_releases_a_quarantined_signal_and_reads_the_audit_log_and_report()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        var disputed = RandomSha256();
        await member.SubmitAsync(Sha256(value), Sha256(disputed));
        await (await fixture.CreateSignalMemberAsync()).OpinionAsync(disputed, Opinion.Disputed);
        var governance = await fixture.GovernanceClientAsync();
        await governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(value), Reason = "reported by two members" });
        await fixture.Hub.Services.GetRequiredService<Federation.Hub.Governance.TransparencyCounters>().FlushAsync();
        var recordId = "sha256:" + value.ToLowerInvariant();
        var page = new Uri(fixture.Hub.Http.BaseAddress!, "console/").ToString();
        await using var browser = await HeadlessChromium.StartAsync();

        await browser.NavigateAsync(page);
        await SignInAsync(browser, HubInstance.AdminId, HubInstance.AdminSecret);
        await browser.WaitForAsync($"[...document.querySelectorAll('#members-table td')].some(td => td.textContent === {Js(member.Id)})", TimeSpan.FromSeconds(20), "the member in the members table");
        await SaveAsync(browser, "members");

        await browser.EvaluateAsync("document.querySelector('#tabs button[data-tab=quarantine]').click()");
        var row = $"[...document.querySelectorAll('#quarantine-table tbody tr')].find(tr => tr.children[0].textContent === {Js(recordId)})";
        await browser.WaitForAsync(row, TimeSpan.FromSeconds(20), "the quarantined signal");
        var trigger = await browser.EvaluateAsync($"{row}.children[2].textContent");
        await browser.WaitForAsync($"[...document.querySelectorAll('#disputed-table td')].some(td => td.textContent === {Js("sha256:" + disputed.ToLowerInvariant())})", TimeSpan.FromSeconds(20), "the disputed signal");
        await SaveAsync(browser, "quarantine");
        await browser.EvaluateAsync($"[...{row}.querySelectorAll('button')].find(b => b.textContent === 'Release').click()");
        await browser.WaitForAsync("document.getElementById('reason-dialog').open", TimeSpan.FromSeconds(10), "the reason dialog");
        await browser.EvaluateAsync("document.getElementById('reason-text').value = 'reviewed: it is abuse'; document.getElementById('reason-ok').click()");
        await browser.WaitForAsync("document.getElementById('status').textContent.includes('released')", TimeSpan.FromSeconds(20), "the release to be confirmed");
        var seen = await (await fixture.CreateSignalMemberAsync()).LookupOneAsync(SignalType.Sha256, value);

        await browser.EvaluateAsync("document.querySelector('#tabs button[data-tab=audit]').click()");
        await browser.WaitForAsync("document.getElementById('chain').textContent.includes('verified')", TimeSpan.FromSeconds(20), "the audit log");
        await browser.WaitForAsync($"[...document.querySelectorAll('#audit-table td')].some(td => td.textContent === 'signal.release')", TimeSpan.FromSeconds(20), "the release in the audit log");
        await SaveAsync(browser, "audit");

        await browser.EvaluateAsync("document.querySelector('#tabs button[data-tab=report]').click()");
        await browser.WaitForAsync("!document.getElementById('report-chart').hidden && document.getElementById('report-chart').complete && document.getElementById('report-chart').naturalWidth > 0", TimeSpan.FromSeconds(20), "the transparency chart");
        var figures = await browser.EvaluateAsync("[...document.querySelectorAll('#report-table tr')].map(tr => tr.innerText).join('\\n')");
        await SaveAsync(browser, "report");

        Assert.Equal("administrator", trigger?.GetValue<string>());
        Assert.Equal(SignalStatus.Active, Assert.Single(seen.Matches).Signal.Status);
        Assert.Contains("Quarantined\t1", figures?.GetValue<string>());
    }

    [ChromiumFact]
    public async Task A_wrong_secret_is_refused_with_the_token_endpoints_reason_and_the_page_sets_a_strict_policy()
    {
        var page = new Uri(fixture.Hub.Http.BaseAddress!, "console/").ToString();
        using var response = await fixture.Hub.Http.GetAsync("console/");
        await using var browser = await HeadlessChromium.StartAsync();

        await browser.NavigateAsync(page);
        await browser.EvaluateAsync($"document.getElementById('client-id').value = {Js(HubInstance.AdminId)}; document.getElementById('client-secret').value = 'wrong-secret-wrong-secret'; document.querySelector('#sign-in-form button').click()");
        await browser.WaitForAsync("document.getElementById('sign-in-error').textContent.length > 0", TimeSpan.FromSeconds(20), "the sign-in error");
        var error = await browser.EvaluateAsync("document.getElementById('sign-in-error').textContent");
        var tabsHidden = await browser.EvaluateAsync("document.getElementById('tabs').hidden");

        Assert.True(response.IsSuccessStatusCode);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.False(string.IsNullOrWhiteSpace(error?.GetValue<string>()));
        Assert.True(tabsHidden?.GetValue<bool>());
    }

    private static async Task SignInAsync(HeadlessChromium browser, string clientId, string secret)
    {
        await browser.EvaluateAsync($"document.getElementById('client-id').value = {Js(clientId)}; document.getElementById('client-secret').value = {Js(secret)}; document.querySelector('#sign-in-form button').click()");
        await browser.WaitForAsync("!document.getElementById('tabs').hidden", TimeSpan.FromSeconds(20), "the sign-in");
    }

    // A screenshot is a real PNG; with FEDERATION_UPDATE_SCREENSHOTS=1 it becomes docs/console/<name>.png.
    private static async Task SaveAsync(HeadlessChromium browser, string name)
    {
        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length > 1000 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', $"screenshot {name} is not a PNG");
        if (Environment.GetEnvironmentVariable("FEDERATION_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryPaths.Root, "docs", "console");
            Directory.CreateDirectory(docs);
            await File.WriteAllBytesAsync(Path.Combine(docs, name + ".png"), png);
        }
    }

    private static string Js(string text) => JsonSerializer.Serialize(text);
}
