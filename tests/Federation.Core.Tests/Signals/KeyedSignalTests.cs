using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

public sealed class KeyedSignalTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static TheoryData<SignalKind, string> KeyedKinds => new()
    {
        { SignalKind.UrlHmacSha256, "url_hmac_sha256" },
        { SignalKind.AccountHmacSha256, "account_hmac_sha256" },
        { SignalKind.TextHmacSha256, "text_hmac_sha256" },
        { SignalKind.PaymentHmacSha256, "payment_hmac_sha256" },
    };

    [Theory]
    [MemberData(nameof(KeyedKinds))]
    public void Keyed_id_is_name_key_id_hex_and_round_trips(SignalKind kind, string name)
    {
        var signal = Normalize(kind, Hex.ToUpperInvariant(), "k2025-a");

        Assert.True(SignalRules.Get(kind).IsKeyed);
        Assert.Equal($"{name}:k2025-a:{Hex}", signal.Id);
        Assert.Equal("k2025-a", signal.KeyId);
        Assert.True(NormalizedSignal.TryParseId(signal.Id, out var parsed));
        Assert.Equal(signal, parsed);
        Assert.Equal("k2025-a", parsed.KeyId);
    }

    [Fact]
    public void Plain_kinds_are_not_keyed_and_have_no_key_id()
    {
        Assert.All(SignalRules.All.Where(t => !t.Name.Contains("hmac", StringComparison.Ordinal)), t => Assert.False(t.IsKeyed));
        var plain = Normalize(SignalKind.UrlSha256, Hex, "");

        Assert.Equal("", plain.KeyId);
        Assert.Equal($"url_sha256:{Hex}", plain.Id);
    }

    [Fact]
    public void Keyed_key_appends_the_key_id_length_and_ascii_after_the_raw_value()
    {
        var signal = Normalize(SignalKind.AccountHmacSha256, Hex, "k1");
        Span<byte> key = stackalloc byte[SignalRules.MaxKeyLength];

        var written = signal.WriteKey(key);

        Assert.Equal(36, written);
        Assert.Equal(written, signal.KeyLength);
        Assert.Equal("0c" + Hex + "02" + "6b31", Convert.ToHexStringLower(key[..written]));
        Assert.Equal(signal, NormalizedSignal.FromKey(key[..written]));
    }

    [Fact]
    public void TryReadKey_stops_after_the_key_id_so_a_storage_key_can_append_the_group()
    {
        var signal = Normalize(SignalKind.PaymentHmacSha256, Hex, "rot-2");
        var key = new byte[signal.KeyLength + 3];
        signal.WriteKey(key);
        "fin"u8.CopyTo(key.AsSpan(signal.KeyLength));

        Assert.True(NormalizedSignal.TryReadKey(key, out var read, out var consumed));
        Assert.Equal(signal.KeyLength, consumed);
        Assert.Equal(signal, read);
        Assert.False(NormalizedSignal.TryFromKey(key, out var whole));
        Assert.True(whole.IsDefault);
    }

    [Theory]
    [InlineData("0e" + Hex)]
    [InlineData("0e" + Hex + "00")]
    [InlineData("0e" + Hex + "036b31")]
    [InlineData("0e" + Hex + "21" + "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b")]
    public void Keyed_keys_without_a_complete_key_id_are_refused(string keyHex)
    {
        var key = Convert.FromHexString(keyHex);

        Assert.False(NormalizedSignal.TryReadKey(key, out var signal, out _));
        Assert.True(signal.IsDefault);
        Assert.Throws<FormatException>(() => NormalizedSignal.FromKey(key));
    }

    [Fact]
    public void The_same_hmac_under_two_key_ids_is_two_signals()
    {
        var a = Normalize(SignalKind.TextHmacSha256, Hex, "key-a");
        var b = Normalize(SignalKind.TextHmacSha256, Hex, "key-b");

        Assert.NotEqual(a, b);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.Partition(16), b.Partition(16));
        Assert.Equal(a, Normalize(SignalKind.TextHmacSha256, Hex, "key-a"));
        Assert.Equal(a.GetHashCode(), Normalize(SignalKind.TextHmacSha256, Hex, "key-a").GetHashCode());
    }

    [Theory]
    [MemberData(nameof(KeyedKinds))]
    public void Keyed_kind_without_key_id_is_rejected_as_missing(SignalKind kind, string name)
    {
        var error = Reject(kind, Hex, "");

        Assert.Equal(SignalValidationRule.KeyIdMissing, error.Rule);
        Assert.Equal("key_id", error.Field);
        Assert.Contains(SignalRules.Get(kind).DisplayName, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(name + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("K1")]
    [InlineData("-k1")]
    [InlineData("k 1")]
    [InlineData("k:1")]
    [InlineData("k@1")]
    [InlineData("k_1")]
    [InlineData("k1234567890123456789012345678901x")]
    public void Malformed_key_id_is_rejected_with_the_format_rule(string keyId)
    {
        var error = Reject(SignalKind.UrlHmacSha256, Hex, keyId);

        Assert.Equal(SignalValidationRule.KeyIdFormat, error.Rule);
        Assert.Equal("key_id", error.Field);
        Assert.Contains("a-z, 0-9 and '-'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("k")]
    [InlineData("2025-rotation-b")]
    [InlineData("k123456789012345678901234567890x")]
    public void Well_formed_key_ids_are_accepted_exactly(string keyId)
    {
        Assert.Equal(keyId, Normalize(SignalKind.UrlHmacSha256, Hex, keyId).KeyId);
    }

    [Theory]
    [InlineData(SignalKind.Sha256)]
    [InlineData(SignalKind.AccountSha256)]
    [InlineData(SignalKind.Pdq)]
    public void Key_id_on_a_plain_kind_is_rejected_as_unexpected(SignalKind kind)
    {
        var error = Reject(kind, Hex, "k1");

        Assert.Equal(SignalValidationRule.KeyIdUnexpected, error.Rule);
        Assert.Equal("key_id", error.Field);
    }

    [Fact]
    public void A_bad_value_is_reported_before_the_key_id()
    {
        var error = Reject(SignalKind.AccountHmacSha256, "instagram:someone", "");

        Assert.Equal(SignalValidationRule.ValuePlaintext, error.Rule);
        Assert.Contains("HMAC-SHA256", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("url_hmac_sha256:" + Hex)]
    [InlineData("url_hmac_sha256::" + Hex)]
    [InlineData("url_hmac_sha256:K1:" + Hex)]
    [InlineData("url_hmac_sha256:k1:" + Hex + "00")]
    [InlineData("url_sha256:k1:" + Hex)]
    public void Keyed_ids_without_a_valid_key_id_do_not_parse(string id)
    {
        Assert.False(NormalizedSignal.TryParseId(id, out var signal));
        Assert.True(signal.IsDefault);
    }

    [Fact]
    public void FromRaw_needs_a_key_id_for_keyed_kinds_and_refuses_one_for_plain_kinds()
    {
        var raw = Convert.FromHexString(Hex);

        Assert.Throws<ArgumentException>(() => NormalizedSignal.FromRaw(SignalKind.UrlHmacSha256, raw));
        Assert.Throws<ArgumentException>(() => NormalizedSignal.FromRaw(SignalKind.UrlSha256, "k1", raw));
        Assert.Throws<ArgumentException>(() => NormalizedSignal.FromRaw(SignalKind.UrlHmacSha256, "K1", raw));
        Assert.Equal(Normalize(SignalKind.UrlHmacSha256, Hex, "k1"), NormalizedSignal.FromRaw(SignalKind.UrlHmacSha256, "k1", raw));
    }

    private static NormalizedSignal Normalize(SignalKind kind, string value, string keyId)
    {
        Assert.True(SignalNormalizer.TryNormalize(kind, value, keyId, 80, 50, out var signal, out var error), error?.ToString());
        return signal;
    }

    private static SignalValidationError Reject(SignalKind kind, string value, string keyId)
    {
        Assert.False(SignalNormalizer.TryNormalize(kind, value, keyId, 80, 50, out var signal, out var error));
        Assert.True(signal.IsDefault);
        return error;
    }
}
