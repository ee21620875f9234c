using Federation.Client.Hashing;

namespace Federation.Client.Tests;

/// <summary>
/// Fixed vectors: the canonical forms are the contract members share; the hashes were computed
/// independently (Python hashlib over the canonical strings).
/// </summary>
public sealed class SignalHashingTests
{
    [Theory]
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("HTTP://EXAMPLE.COM:80/", "http://example.com/")]
    [InlineData("example.com", "http://example.com/")]
    [InlineData("  http://example.com/#top  ", "http://example.com/")]
    [InlineData("HTTPS://Example.com:443/a?b=C#frag", "https://example.com/a?b=C")]
    [InlineData("http://Bücher.Example/", "http://xn--bcher-kva.example/")]
    [InlineData("http://example.com:8080/path", "http://example.com:8080/path")]
    [InlineData("Example.com:8080/path", "http://example.com:8080/path")]
    [InlineData("https://example.com:80/", "https://example.com:80/")]
    [InlineData("http://example.com/a/../b c", "http://example.com/b%20c")]
    [InlineData("http://example.com/Path/To?Q=1", "http://example.com/Path/To?Q=1")]
    [InlineData("http://user@Example.com/", "http://user@example.com/")]
    public void Canonical_url_lowercases_scheme_and_host_and_drops_default_port_and_fragment(string input, string canonical) =>
        Assert.Equal(canonical, SignalHashing.CanonicalUrl(input));

    [Theory]
    [InlineData("http://example.com", "2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067")]
    [InlineData("HTTPS://Example.com:443/a?b=C#frag", "8df489aed6327290cda484841b94f6159be8cf6dcd81328a327947954f56187b")]
    [InlineData("http://Bücher.Example", "ef6bde6ded919b75d751a0960d3c96ff54a2c01a2a6887d92a1a5b34dbb28e70")]
    [InlineData("http://EXAMPLE.com:8080/path", "f3f26f62958bea04f4b52753c1831a2baf9ba2fc0dea4ed533041385f976749a")]
    [InlineData("http://example.com/a/../b c", "e24a38c62b10e558fac485955e1a24a46f48e3ab64cbd1df3bf2542b7cddd480")]
    public void Url_sha256_matches_fixed_vectors(string url, string expected) =>
        Assert.Equal(expected, SignalHashing.UrlSha256(url));

    [Theory]
    [InlineData("")]
    [InlineData("http://")]
    [InlineData("mailto:someone@example.com")]
    public void Url_without_host_is_rejected(string url) =>
        Assert.Throws<ArgumentException>(() => SignalHashing.CanonicalUrl(url));

    [Theory]
    [InlineData("Instagram", "SomeUser", "ac5d0f45350e418c6b6be251f771b6751b7538388b3715f8e7fc883fc737de50")]
    [InlineData(" INSTAGRAM ", " SomeUser ", "ac5d0f45350e418c6b6be251f771b6751b7538388b3715f8e7fc883fc737de50")]
    [InlineData("user@example.com", "x", "6ae1ac3bb02a3c433bbb172388c753a2fdded711244d2626c951fcaf74ff89bb")]
    public void Account_sha256_lowercases_the_platform_and_keeps_the_account_id(string platform, string account, string expected) =>
        Assert.Equal(expected, SignalHashing.AccountSha256(platform, account));

    [Fact]
    public void Account_id_case_is_significant() =>
        Assert.NotEqual(SignalHashing.AccountSha256("instagram", "SomeUser"), SignalHashing.AccountSha256("instagram", "someuser"));

    [Theory]
    [InlineData("", "x")]
    [InlineData("a:b", "x")]
    [InlineData("instagram", " ")]
    public void Account_with_empty_part_or_colon_in_platform_is_rejected(string platform, string account) =>
        Assert.Throws<ArgumentException>(() => SignalHashing.AccountSha256(platform, account));

    [Fact]
    public void Payment_sha256_matches_fixed_vector() =>
        Assert.Equal(
            "3e7f9484b029d8d7c87b57d434ccb811c3a701c01895396c25371fa9492e7761",
            SignalHashing.PaymentSha256("BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));

    [Theory]
    [InlineData("Hello World", "hello world")]
    [InlineData("  hello\t\n  WORLD  ", "hello world")]
    [InlineData("hello\u00A0\u2003world", "hello world")]
    [InlineData("\uFB01 \uFF26\uFF55\uFF4C\uFF4C", "fi full")]
    [InlineData("Cafe\u0301", "café")]
    [InlineData("", "")]
    public void Normalized_text_is_nfkc_lowercase_with_collapsed_whitespace(string input, string expected) =>
        Assert.Equal(expected, SignalHashing.NormalizeText(input));

    [Theory]
    [InlineData("Hello   World", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    [InlineData("\uFB01 \uFF26\uFF55\uFF4C\uFF4C", "55ad7edf15ef2ca8cd89b00bfdb54ab83cae21e0fcf23bccd971535f107a1c4f")]
    public void Text_sha256_matches_fixed_vectors(string text, string expected) =>
        Assert.Equal(expected, SignalHashing.TextSha256(text));

    [Fact]
    public async Task File_hashes_match_known_digests_of_abc()
    {
        using var content = new MemoryStream("abc"u8.ToArray());
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", await SignalHashing.FileSha256Async(content));
        content.Position = 0;
        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", await SignalHashing.FileMd5Async(content));
    }
}
