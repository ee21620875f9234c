using System.Runtime.Versioning;
using System.Text.Json;
using Federation.Cli.Input;
using Federation.Contracts.V1;

namespace Federation.Cli.Tests;

/// <summary>
/// <c>fedctl hash</c> with coalition keys from a key file or the environment (run as a real process), and keyed signal
/// references on the command line. The expected values are the fixed vectors of docs/sdk.md (Python hmac).
/// </summary>
[UnsupportedOSPlatform("windows")] // key files are checked and made private with Unix permissions
public sealed class FedctlKeyedHashTests : IDisposable
{
    private const string Key1Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string Key2Hex = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    private const string AccountUnderK1 = "3218edde1be5c2cb2e7639f3997091a71e480703a563f55907368972fe46737f";
    private const string AccountUnderK2 = "51842c190b6577926c1aca844f249f280cb6e03005409fb5c0966c2911c167a2";
    private const string UrlUnderK1 = "be743eacd8cc0d03cd7c6c5bd44f4b159aec8bed6fb3eb9638e4431ad604cdfe";

    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [Fact]
    public async Task Hash_with_a_key_file_prints_the_keyed_value_under_every_key_with_its_key_id()
    {
        var keyFile = await WriteKeyFileAsync($"# rotation window: new key first\nk2={Key2Hex}\nk1={Key1Hex}\n");

        var result = await fedctl.RunAsync("-o", "json", "hash", "--account", "Instagram:SomeUser", "--url", "HTTP://EXAMPLE.COM:80/", "--key-file", keyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        // URLs first, then accounts (fedctl's fixed order), each under every key in the file's order.
        Assert.Equal(4, lines.Count);
        Assert.Equal(("k1", UrlUnderK1), (lines[1].GetProperty("keyId").GetString(), lines[1].GetProperty("url_hmac_sha256").GetString()));
        Assert.Equal(("k2", AccountUnderK2), (lines[2].GetProperty("keyId").GetString(), lines[2].GetProperty("account_hmac_sha256").GetString()));
        Assert.Equal(("k1", AccountUnderK1), (lines[3].GetProperty("keyId").GetString(), lines[3].GetProperty("account_hmac_sha256").GetString()));
        Assert.Equal($"account_hmac_sha256:k1:{AccountUnderK1}", lines[3].GetProperty("signalId").GetString());
        Assert.Equal("Instagram:SomeUser", lines[3].GetProperty("input").GetString());
        Assert.All(lines, l => Assert.False(l.TryGetProperty("account_sha256", out _)));
        Assert.DoesNotContain(Key1Hex, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key2Hex, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Hash_reads_keys_from_the_environment_when_no_key_file_is_given_and_prints_a_table()
    {
        fedctl.Environment["FEDERATION_COALITION_KEYS"] = $"k1={Key1Hex}";

        var result = await fedctl.RunAsync("hash", "--account", "instagram:SomeUser");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(AccountUnderK1, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("key id k1", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Key1Hex, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_key_file_is_a_usage_error_that_names_the_entry_but_not_the_key()
    {
        var keyFile = await WriteKeyFileAsync($"k1={Key1Hex[..20]}\n");

        var result = await fedctl.RunAsync("hash", "--text", "hello", "--key-file", keyFile);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("entry 1", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("at least 16 bytes", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key1Hex[..20], result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_other_users_can_read_is_used_with_a_warning()
    {
        var keyFile = await WriteKeyFileAsync($"k1={Key1Hex}\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await fedctl.RunAsync("-o", "json", "hash", "--account", "instagram:SomeUser", "--key-file", keyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(AccountUnderK1, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("readable by other users", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keyed_reference_is_written_like_its_signal_id_and_splits_off_the_key_id()
    {
        var reference = SignalNames.ParseReference($"account_hmac_sha256:k1:{AccountUnderK1}");
        var plain = SignalNames.ParseReference($"account_sha256:{AccountUnderK1}");

        Assert.Equal((SignalType.AccountHmacSha256, "k1", AccountUnderK1), (reference.Type, reference.KeyId, reference.Value));
        Assert.Equal((SignalType.AccountSha256, "", AccountUnderK1), (plain.Type, plain.KeyId, plain.Value));
        Assert.Equal("url_hmac_sha256", SignalNames.TypeName(SignalType.UrlHmacSha256));
        Assert.Equal("payment_sha256", SignalNames.TypeName(SignalType.PaymentSha256));
        Assert.Throws<Federation.Cli.Infrastructure.CliException>(() => SignalNames.ParseReference($"account_hmac_sha256:{AccountUnderK1}"));
    }

    private async Task<string> WriteKeyFileAsync(string content)
    {
        var path = Path.Combine(fedctl.Home, "coalition.keys");
        await File.WriteAllTextAsync(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
