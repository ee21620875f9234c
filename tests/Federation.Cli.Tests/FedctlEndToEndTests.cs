using System.Security.Cryptography;
using System.Text.Json;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Cli.Tests;

/// <summary>The built fedctl, run as a process against a real hub and Redis: output and exit codes.</summary>
public sealed class FedctlEndToEndTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    private string TokenEndpoint => new Uri(fixture.Hub.Http.BaseAddress!, "connect/token").ToString();

    [Theory]
    [InlineData("--help")]
    [InlineData("submit", "--help")]
    [InlineData("tail", "--help")]
    [InlineData("admin", "members", "create", "--help")]
    [InlineData("admin", "bootstrap", "--help")]
    public async Task Help_is_available_everywhere_and_exits_0(params string[] args)
    {
        var result = await fedctl.RunAsync(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_1()
    {
        var result = await fedctl.RunAsync("lookup", "--no-such-option", "sha256:00");

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Command_without_a_profile_exits_2_and_says_to_log_in()
    {
        var result = await fedctl.RunAsync("lookup", "sha256:" + new string('0', 64));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("fedctl: error: auth: no profile 'default'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_a_wrong_secret_exits_2_and_saves_nothing()
    {
        var result = await fedctl.RunWithInputAsync("wrong-secret-0123456789abcdef\n", "login", "--hub", fixture.Hub.GrpcAddress, "--token-endpoint", TokenEndpoint,
            "--client-id", HubInstance.AdminId, "--secret-stdin");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid_client", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fedctl.Home, "profiles")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_keeps_the_secret_in_an_owner_only_file()
    {
        await LoginAdminAsync();

        var secretFile = Path.Combine(fedctl.Home, "profiles", "admin.secret");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretFile));
        Assert.DoesNotContain(HubInstance.AdminSecret, await File.ReadAllTextAsync(Path.Combine(fedctl.Home, "profiles", "admin.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_lifecycle_submit_lookup_opinion_retract_with_exit_codes()
    {
        await LoginAdminAsync();
        var memberId = "cli-" + Guid.NewGuid().ToString("N")[..12];
        var created = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "members", "create", memberId, "--name", "CLI Test Co");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("clientSecret").GetString()!;
        var login = await fedctl.RunWithInputAsync(secret + "\n", "login", "--hub", fixture.Hub.GrpcAddress, "--token-endpoint", TokenEndpoint, "--client-id", memberId, "--secret-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        var known = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var csv = Path.Combine(fedctl.Home, "signals.csv");
        await File.WriteAllLinesAsync(csv,
        [
            "type,value,categories",
            $"sha256,{known},csam",
            "sha256,not-hex,csam",
            $"url,https://Example.org/{Guid.NewGuid():N},grooming;sextortion",
            $"md5,{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))},",
        ]);

        var submit = await fedctl.RunAsync("-o", "json", "submit", csv, "--category", "csam");
        var lookup = await fedctl.RunAsync("-o", "json", "lookup", "sha256:" + known.ToUpperInvariant());
        var unknown = await fedctl.RunAsync("lookup", "sha256:" + new string('1', 64));
        var opinion = await fedctl.RunAsync("opinion", "sha256:" + known, "confirmed");
        var retract = await fedctl.RunAsync("-o", "json", "retract", "sha256:" + known);
        var afterRetract = await fedctl.RunAsync("lookup", "sha256:" + known);

        Assert.True(submit.ExitCode == 3, submit.ToString());
        var summary = JsonDocument.Parse(submit.Stdout).RootElement;
        Assert.Equal(3, summary.GetProperty("created").GetInt32());
        Assert.Equal(1, summary.GetProperty("rejected").GetInt32());
        Assert.Equal(3, summary.GetProperty("rejections")[0].GetProperty("line").GetInt32());
        Assert.True(lookup.ExitCode == 0, lookup.ToString());
        Assert.Contains($"sha256:{known}", lookup.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, unknown.ExitCode);
        Assert.Contains("no match", unknown.Stdout, StringComparison.Ordinal);
        Assert.True(opinion.ExitCode == 0, opinion.ToString());
        Assert.Contains("recorded", opinion.Stdout, StringComparison.Ordinal);
        Assert.True(retract.ExitCode == 0, retract.ToString());
        Assert.Equal("SIGNAL_STATUS_RETRACTED", JsonDocument.Parse(retract.Stdout).RootElement.GetProperty("status").GetString());
        Assert.Equal(5, afterRetract.ExitCode);
    }

    [Fact]
    public async Task Admin_suspends_and_reinstates_and_reads_audit_and_stats()
    {
        await LoginAdminAsync();
        var memberId = "cli-" + Guid.NewGuid().ToString("N")[..12];
        await fedctl.RunAsync("-p", "admin", "admin", "members", "create", memberId, "--name", "Audit Co");

        var suspend = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "members", "suspend", memberId, "--reason", "investigation");
        var missingReason = await fedctl.RunAsync("-p", "admin", "admin", "members", "reinstate", memberId);
        var reinstate = await fedctl.RunAsync("-p", "admin", "admin", "members", "reinstate", memberId, "--reason", "cleared");
        var getMissing = await fedctl.RunAsync("-p", "admin", "admin", "members", "get", "no-such-member");
        var list = await fedctl.RunAsync("-p", "admin", "admin", "members", "list", "--status", "active");
        var audit = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "audit", "--limit", "1000");
        var stats = await fedctl.RunAsync("-p", "admin", "-o", "json", "admin", "stats");

        Assert.Equal("MEMBER_STATUS_SUSPENDED", JsonDocument.Parse(suspend.Stdout).RootElement.GetProperty("status").GetString());
        Assert.Equal(1, missingReason.ExitCode);
        Assert.True(reinstate.ExitCode == 0, reinstate.ToString());
        Assert.Equal(5, getMissing.ExitCode);
        Assert.Contains(memberId, list.Stdout, StringComparison.Ordinal);
        Assert.Contains(audit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains("member.suspend", StringComparison.Ordinal) && line.Contains(memberId, StringComparison.Ordinal));
        Assert.True(JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("activeMembers").GetInt32() >= 2);
    }

    [Fact]
    public async Task Member_profile_is_refused_admin_calls_with_exit_2()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        await fedctl.RunWithInputAsync(secret + "\n", "login", "--hub", fixture.Hub.GrpcAddress, "--token-endpoint", TokenEndpoint, "--client-id", id, "--secret-stdin");

        var result = await fedctl.RunAsync("admin", "stats");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("fedctl: error: permission-denied:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_hub_exits_4()
    {
        var port = LocalRedisServer.FreeLoopbackPort();
        fedctl.Environment["FEDCTL_HUB"] = $"http://127.0.0.1:{port}";
        fedctl.Environment["FEDCTL_TOKEN_ENDPOINT"] = $"http://127.0.0.1:{port}/connect/token";
        fedctl.Environment["FEDCTL_CLIENT_ID"] = "someone";
        fedctl.Environment["FEDCTL_CLIENT_SECRET"] = "secret";

        var result = await fedctl.RunAsync("lookup", "sha256:" + new string('0', 64));

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.StartsWith("fedctl: error: unavailable:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_prints_file_digests_and_canonical_identifier_hashes_as_json_lines()
    {
        var file = Path.Combine(fedctl.Home, "abc.txt");
        await File.WriteAllTextAsync(file, "abc");

        var result = await fedctl.RunAsync("-o", "json", "hash", file, "--url", "HTTP://Example.com:80/#x");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", lines[0].GetProperty("sha256").GetString());
        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", lines[0].GetProperty("md5").GetString());
        Assert.Equal("2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067", lines[1].GetProperty("url_sha256").GetString());
    }

    [Fact]
    public async Task Bootstrap_prints_hub_settings_and_saves_a_working_admin_profile()
    {
        var result = await fedctl.RunAsync("-o", "json", "admin", "bootstrap", "--client-id", "first-admin", "--hub", "http://127.0.0.1:1", "--save-profile", "boot");

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        var secret = output.GetProperty("clientSecret").GetString()!;
        Assert.True(secret.Length >= 24);
        Assert.StartsWith("fs_", secret, StringComparison.Ordinal);
        Assert.Equal(secret, output.GetProperty("environment").GetProperty("Federation__Bootstrap__AdminClientSecret").GetString());
        Assert.Equal(secret, (await File.ReadAllTextAsync(Path.Combine(fedctl.Home, "profiles", "boot.secret"))).Trim());
    }

    [Fact]
    public async Task Tail_prints_json_lines_after_a_cursor_and_resume_continues_where_it_stopped()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var login = await fedctl.RunWithInputAsync(secret + "\n", "login", "--hub", fixture.Hub.GrpcAddress, "--token-endpoint", TokenEndpoint, "--client-id", id, "--secret-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
        using var sdk = new Federation.Client.FederationClient(new Federation.Client.FederationClientOptions
        {
            HubAddress = new Uri(fixture.Hub.GrpcAddress),
            TokenEndpoint = new Uri(TokenEndpoint),
            ClientId = id,
            ClientSecret = secret,
        });
        string cursor;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            var enumerator = sdk.SubscribeAsync(new Federation.Client.Subscriptions.SubscriptionOptions { IncludeHeartbeats = true }, timeout.Token).GetAsyncEnumerator(timeout.Token);
            await using (enumerator)
            {
                Assert.True(await enumerator.MoveNextAsync());
                cursor = enumerator.Current.Cursor;
            }
        }

        var values = new[] { Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) };
        foreach (var value in values)
        {
            await sdk.SubmitAsync([new Federation.Contracts.V1.SignalSubmission { Type = Federation.Contracts.V1.SignalType.Sha256, Value = value, Categories = { Federation.Contracts.V1.Category.Csam } }]);
        }

        var first = await fedctl.RunAsync("tail", "--cursor", cursor, "--resume", "job", "--type", "sha256", "-n", "1");
        var second = await fedctl.RunAsync("tail", "--resume", "job", "--type", "sha256", "-n", "1");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var updates = new[] { first, second }.Select(r => JsonDocument.Parse(Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement).ToList();
        Assert.All(updates, u => Assert.Equal("UPDATE_KIND_CREATED", u.GetProperty("kind").GetString()));
        Assert.Equal(values.Order(StringComparer.Ordinal), updates.Select(u => u.GetProperty("signal").GetProperty("value").GetString()!).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(fedctl.Home, "cursors", "job.cursor")));
    }

    private async Task LoginAdminAsync()
    {
        var result = await fedctl.RunWithInputAsync(HubInstance.AdminSecret + "\n", "-p", "admin", "login", "--hub", fixture.Hub.GrpcAddress, "--token-endpoint", TokenEndpoint,
            "--client-id", HubInstance.AdminId, "--scope", "federation.admin", "--secret-stdin");
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
