using System.Security.Cryptography;
using System.Text;
using Federation.Client.Hashing;
using Federation.Contracts.V1;

namespace Federation.Client.Tests;

/// <summary>
/// Keyed identifier values. The fixed vectors (also in docs/sdk.md) were computed independently with Python's hmac module
/// over the canonical strings, key 00 01 … 1f (key id k1) and 20 21 … 3f (key id k2).
/// </summary>
public sealed class KeyedHashingTests
{
    private const string Key1Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string Key2Hex = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

    private static readonly CoalitionKey Key1 = CoalitionKey.FromHex("k1", Key1Hex);
    private static readonly CoalitionKey Key2 = CoalitionKey.FromHex("k2", Key2Hex);

    [Fact]
    public void Keyed_values_match_fixed_vectors_under_two_keys()
    {
        Assert.Equal("be743eacd8cc0d03cd7c6c5bd44f4b159aec8bed6fb3eb9638e4431ad604cdfe", KeyedHashing.Url(Key1, "HTTP://EXAMPLE.COM:80/").Value);
        Assert.Equal("f160f9016b691351408639fec234d47bf12f23281e5362408d8043accecbe58e", KeyedHashing.Url(Key2, "HTTP://EXAMPLE.COM:80/").Value);
        Assert.Equal("3218edde1be5c2cb2e7639f3997091a71e480703a563f55907368972fe46737f", KeyedHashing.Account(Key1, "Instagram", "SomeUser").Value);
        Assert.Equal("51842c190b6577926c1aca844f249f280cb6e03005409fb5c0966c2911c167a2", KeyedHashing.Account(Key2, "Instagram", "SomeUser").Value);
        Assert.Equal("fb80215b5a812ef5e1637e0c20382bba60a70d8f7c0b32f7c3eb533b7efa149a",
            KeyedHashing.Payment(Key1, "BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq").Value);
        Assert.Equal("411b9a51e8565e1fc79643b2a6c4672f4a3c3e573c33d0995a08748cb6128e8e", KeyedHashing.Text(Key1, "Hello   World").Value);
        Assert.Equal("102cb8cd958bc2f7754e6e1f400c5591a7b7d84c2e8b5864a25aedc6ce4f97d6", KeyedHashing.Text(Key2, "Hello   World").Value);
    }

    [Theory]
    [InlineData("url", "https://Example.com:443/a?b=C#frag")]
    [InlineData("account", " Instagram : SomeUser ")]
    [InlineData("payment", "paypal:someone@example.org")]
    [InlineData("text", "ﬁ Ｆｕｌｌ  text")]
    public void Keyed_value_is_the_hmac_of_exactly_the_plain_types_canonical_bytes(string kind, string input)
    {
        var (canonical, keyed, plain) = kind switch
        {
            "url" => (SignalHashing.CanonicalUrl(input), KeyedHashing.Url(Key1, input), SignalHashing.UrlSha256(input)),
            "account" => (SignalHashing.CanonicalAccount(input.Split(':')[0], input.Split(':')[1]),
                KeyedHashing.Account(Key1, input.Split(':')[0], input.Split(':')[1]), SignalHashing.AccountSha256(input.Split(':')[0], input.Split(':')[1])),
            "payment" => (SignalHashing.CanonicalPayment(input.Split(':')[0], input.Split(':')[1]),
                KeyedHashing.Payment(Key1, input.Split(':')[0], input.Split(':')[1]), SignalHashing.PaymentSha256(input.Split(':')[0], input.Split(':')[1])),
            _ => (SignalHashing.NormalizeText(input), KeyedHashing.Text(Key1, input), SignalHashing.TextSha256(input)),
        };

        using var hmac = new HMACSHA256(Convert.FromHexString(Key1Hex));
        Assert.Equal(Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(canonical))), keyed.Value);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), plain);
        Assert.NotEqual(plain, keyed.Value);
        Assert.Equal("k1", keyed.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", keyed.Value);
    }

    [Fact]
    public void Keyed_value_carries_its_type_key_id_and_signal_id_into_every_request_shape()
    {
        var value = KeyedHashing.Account(Key2, "instagram", "SomeUser");

        Assert.Equal(SignalType.AccountHmacSha256, value.Type);
        Assert.Equal($"account_hmac_sha256:k2:{value.Value}", value.SignalId);
        var submission = value.ToSubmission(Category.Grooming);
        Assert.Equal((SignalType.AccountHmacSha256, "k2", value.Value), (submission.Type, submission.KeyId, submission.Value));
        Assert.Equal([Category.Grooming], submission.Categories);
        var query = value.ToLookupQuery();
        Assert.Equal((SignalType.AccountHmacSha256, "k2", value.Value), (query.Type, query.KeyId, query.Value));
        var reference = value.ToSignalRef();
        Assert.Equal((SignalType.AccountHmacSha256, "k2", value.Value), (reference.Type, reference.KeyId, reference.Value));
    }

    [Fact]
    public void Key_ring_gives_one_value_per_key_in_ring_order()
    {
        var ring = new CoalitionKeyRing([Key2, Key1]);

        var values = ring.Account("Instagram", "SomeUser");

        Assert.Equal(["k2", "k1"], values.Select(v => v.KeyId));
        Assert.Equal(KeyedHashing.Account(Key2, "Instagram", "SomeUser"), values[0]);
        Assert.Equal(KeyedHashing.Account(Key1, "Instagram", "SomeUser"), values[1]);
        Assert.Equal(2, ring.Url("example.com").Select(v => v.Value).Distinct().Count());
        Assert.Equal(2, ring.Text("hello").Count);
        Assert.Equal(2, ring.Payment("btc", "x").Count);
    }

    [Fact]
    public void Key_ring_parses_entries_by_line_or_semicolon_and_skips_comments()
    {
        var ring = CoalitionKeyRing.Parse($"# current first\nk2={Key2Hex}\r\n\n  k1 = {Key1Hex}  ;");

        Assert.Equal(["k2", "k1"], ring.Keys.Select(k => k.KeyId));
        Assert.Equal(KeyedHashing.Url(Key1, "example.com"), KeyedHashing.Url(ring.Keys[1], "example.com"));
        Assert.Equal(["a", "b"], CoalitionKeyRing.Parse($"a={Key1Hex};b={Key2Hex}").Keys.Select(k => k.KeyId));
    }

    [Theory]
    [InlineData("", "no coalition key")]
    [InlineData("# only a comment", "no coalition key")]
    [InlineData("k1 " + Key1Hex, "entry 1 is not '<key id>=<hex key>'")]
    [InlineData("K1=" + Key1Hex, "a key id is 1-32 characters")]
    [InlineData("k1=00112233", "at least 16 bytes")]
    [InlineData("k1=" + Key1Hex + "zz", "key 'k1' is not hex")]
    [InlineData("k1=" + Key1Hex + "\nk1=" + Key2Hex, "entry 2: key id 'k1' appears twice")]
    public void Malformed_key_text_is_refused_without_echoing_key_material(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CoalitionKeyRing.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key1Hex[..16], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key2Hex[..16], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_never_shows_its_bytes()
    {
        Assert.Equal("coalition key k1", Key1.ToString());
        Assert.DoesNotContain(Key1Hex, string.Join(",", typeof(CoalitionKey).GetProperties().Select(p => p.GetValue(Key1)?.ToString())), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CoalitionKey("k1", new byte[15]));
        Assert.Throws<ArgumentException>(() => new CoalitionKeyRing([]));
        Assert.Throws<ArgumentException>(() => new CoalitionKeyRing([Key1, CoalitionKey.FromHex("k1", Key2Hex)]));
    }

    [Fact]
    public void Only_identifier_types_have_keyed_twins()
    {
        Assert.Equal(SignalType.UrlHmacSha256, KeyedHashing.KeyedTypeOf(SignalType.UrlSha256));
        Assert.Equal(SignalType.PaymentHmacSha256, KeyedHashing.KeyedTypeOf(SignalType.PaymentSha256));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyedHashing.KeyedTypeOf(SignalType.Sha256));
        Assert.True(KeyedHashing.IsKeyed(SignalType.TextHmacSha256));
        Assert.False(KeyedHashing.IsKeyed(SignalType.TextSha256));
    }
}
