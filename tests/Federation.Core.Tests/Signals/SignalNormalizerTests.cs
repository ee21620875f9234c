using Federation.Core.Signals;
using static Federation.Core.Tests.Signals.SignalTestData;

namespace Federation.Core.Tests.Signals;

public sealed class SignalNormalizerTests
{
    public static TheoryData<SignalKind> SupportedKinds => Kinds;

    public static TheoryData<SignalKind, string> Paddings => Cross(" ", "\t", "\r\n", "  \t ", "\u00A0");

    public static TheoryData<SignalKind, string> EmptyValues => Cross("", " ", "\t\n ");

    public static TheoryData<SignalKind, string> PlaintextValues => Cross(
        "https://example.com/path?q=1",
        "example.com/abuse://x",
        "someone@example.com",
        "@handle",
        "platform:account-12345",
        "grooming script words",
        "john.doe");

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Valid_lowercase_hex_is_accepted_for_every_supported_type(SignalKind kind)
    {
        var hex = ValidHex(kind);

        var signal = Normalize(kind, hex);

        Assert.Equal(kind, signal.Kind);
        Assert.Equal(hex, signal.ToHex());
        Assert.Equal(SignalRules.Get(kind).RawLength, signal.RawBytes.Length);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Upper_case_hex_is_normalized_to_lowercase(SignalKind kind)
    {
        var hex = ValidHex(kind);

        var upper = Normalize(kind, hex.ToUpperInvariant());
        var mixed = Normalize(kind, string.Concat(hex.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c)));

        Assert.Equal(hex, upper.ToHex());
        Assert.Equal(Normalize(kind, hex), upper);
        Assert.Equal(upper, mixed);
    }

    [Theory]
    [MemberData(nameof(Paddings))]
    public void Surrounding_whitespace_is_trimmed(SignalKind kind, string padding)
    {
        var hex = ValidHex(kind);

        var signal = Normalize(kind, padding + hex + padding);

        Assert.Equal(hex, signal.ToHex());
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Inner_whitespace_is_rejected_as_plaintext(SignalKind kind)
    {
        var hex = ValidHex(kind);

        var error = Reject(kind, hex[..10] + " " + hex[11..]);

        Assert.Equal(SignalValidationRule.ValuePlaintext, error.Rule);
        Assert.Equal("value", error.Field);
        Assert.Contains("whitespace", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Value_one_character_short_is_rejected_with_the_length_rule(SignalKind kind)
    {
        var info = SignalRules.Get(kind);

        var error = Reject(kind, ValidHex(kind)[..^1]);

        Assert.Equal(SignalValidationRule.ValueLength, error.Rule);
        Assert.Equal($"{info.DisplayName} value must be {info.HexLength} hex characters; got {info.HexLength - 1}", error.Message);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Value_one_character_long_is_rejected_with_the_length_rule(SignalKind kind)
    {
        var info = SignalRules.Get(kind);

        var error = Reject(kind, ValidHex(kind) + "a");

        Assert.Equal(SignalValidationRule.ValueLength, error.Rule);
        Assert.Equal($"{info.DisplayName} value must be {info.HexLength} hex characters; got {info.HexLength + 1}", error.Message);
    }

    [Fact]
    public void Sha256_message_matches_the_documented_example()
    {
        var error = Reject(SignalKind.Sha256, new string('a', 63));

        Assert.Equal("SHA256 value must be 64 hex characters; got 63", error.Message);
    }

    [Fact]
    public void Length_of_another_type_suggests_checking_the_type()
    {
        var error = Reject(SignalKind.Sha256, ValidHex(SignalKind.Md5));

        Assert.Equal(SignalValidationRule.ValueLength, error.Rule);
        Assert.Equal("SHA256 value must be 64 hex characters; got 32 (32 hex characters fits MD5 or VIDEO_MD5; check the type)", error.Message);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Non_hex_punctuation_is_rejected_with_the_hex_rule_and_its_position(SignalKind kind)
    {
        var hex = ValidHex(kind);

        var error = Reject(kind, hex[..4] + "-" + hex[5..]);

        Assert.Equal(SignalValidationRule.ValueHex, error.Rule);
        Assert.Equal($"{SignalRules.Get(kind).DisplayName} value must contain only hex digits 0-9 and a-f; found '-' at position 5", error.Message);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Non_hex_letter_is_rejected_as_plaintext(SignalKind kind)
    {
        var hex = ValidHex(kind);

        var error = Reject(kind, "g" + hex[1..]);

        Assert.Equal(SignalValidationRule.ValuePlaintext, error.Rule);
        Assert.Contains("letters other than a-f", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Null_value_is_rejected_as_empty(SignalKind kind)
    {
        var error = Reject(kind, null);

        Assert.Equal(SignalValidationRule.ValueEmpty, error.Rule);
        Assert.Equal($"{SignalRules.Get(kind).DisplayName} value is required: {SignalRules.Get(kind).HexLength} hex characters", error.Message);
    }

    [Theory]
    [MemberData(nameof(EmptyValues))]
    public void Empty_or_blank_value_is_rejected_as_empty(SignalKind kind, string value)
    {
        var error = Reject(kind, value);

        Assert.Equal(SignalValidationRule.ValueEmpty, error.Rule);
    }

    [Theory]
    [MemberData(nameof(PlaintextValues))]
    public void Plaintext_is_rejected_with_a_hash_it_client_side_message_that_does_not_echo_it(SignalKind kind, string plaintext)
    {
        var error = Reject(kind, plaintext);

        Assert.Equal(SignalValidationRule.ValuePlaintext, error.Rule);
        Assert.StartsWith($"{SignalRules.Get(kind).DisplayName} value looks like plaintext", error.Message, StringComparison.Ordinal);
        Assert.Contains("the hub accepts only hashes", error.Message, StringComparison.Ordinal);
        Assert.Contains("client-side", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(plaintext, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SignalKind.UrlSha256, "canonical URL")]
    [InlineData(SignalKind.AccountSha256, "platform:account-id")]
    [InlineData(SignalKind.PaymentSha256, "rail:identifier")]
    [InlineData(SignalKind.TextSha256, "normalized text")]
    [InlineData(SignalKind.Sha256, "hash the file")]
    public void Plaintext_message_says_what_to_hash_for_the_type(SignalKind kind, string hint)
    {
        var error = Reject(kind, "https://example.com/");

        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Signal_id_form_is_rejected_with_a_remove_the_prefix_hint(SignalKind kind)
    {
        var name = SignalRules.Get(kind).Name;

        var error = Reject(kind, name + ":" + ValidHex(kind));

        Assert.Equal(SignalValidationRule.ValueHex, error.Rule);
        Assert.Contains($"remove the \"{name}:\" prefix", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0X")]
    public void Hex_prefix_is_rejected_with_a_remove_the_prefix_hint(string prefix)
    {
        var error = Reject(SignalKind.Md5, prefix + ValidHex(SignalKind.Md5));

        Assert.Equal(SignalValidationRule.ValueHex, error.Rule);
        Assert.Contains("remove the \"0x\" prefix", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50u, 50)]
    [InlineData(100u, 50)]
    [InlineData(0u, 0)]
    [InlineData(70u, 70)]
    public void Pdq_quality_at_or_above_the_minimum_is_accepted(uint quality, int minimum)
    {
        var accepted = SignalNormalizer.TryNormalize(SignalKind.Pdq, ValidHex(SignalKind.Pdq), quality, minimum, out var signal, out var error);

        Assert.True(accepted, error?.ToString());
        Assert.Equal(SignalKind.Pdq, signal.Kind);
    }

    [Fact]
    public void Pdq_without_quality_is_rejected()
    {
        var accepted = SignalNormalizer.TryNormalize(SignalKind.Pdq, ValidHex(SignalKind.Pdq), null, 50, out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.QualityMissing, error!.Rule);
        Assert.Equal("quality", error.Field);
        Assert.Equal("PDQ quality is required: send the 0-100 quality your PDQ hasher reports (this hub's minimum is 50)", error.Message);
    }

    [Theory]
    [InlineData(49u, 50)]
    [InlineData(0u, 50)]
    [InlineData(79u, 80)]
    public void Pdq_quality_below_the_minimum_is_rejected_naming_both(uint quality, int minimum)
    {
        var accepted = SignalNormalizer.TryNormalize(SignalKind.Pdq, ValidHex(SignalKind.Pdq), quality, minimum, out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.QualityTooLow, error!.Rule);
        Assert.StartsWith($"PDQ quality {quality} is below this hub's minimum of {minimum};", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(101u)]
    [InlineData(255u)]
    [InlineData(uint.MaxValue)]
    public void Pdq_quality_above_100_is_rejected(uint quality)
    {
        var accepted = SignalNormalizer.TryNormalize(SignalKind.Pdq, ValidHex(SignalKind.Pdq), quality, 50, out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.QualityRange, error!.Rule);
        Assert.Equal($"PDQ quality must be between 0 and 100; got {quality}", error.Message);
    }

    [Theory]
    [InlineData(SignalKind.Md5, null)]
    [InlineData(SignalKind.Sha256, 0u)]
    [InlineData(SignalKind.UrlSha256, 500u)]
    public void Quality_is_ignored_for_types_other_than_pdq(SignalKind kind, uint? quality)
    {
        var accepted = SignalNormalizer.TryNormalize(kind, ValidHex(kind), quality, 50, out _, out var error);

        Assert.True(accepted, error?.ToString());
    }

    [Fact]
    public void Bad_value_is_reported_before_quality()
    {
        var accepted = SignalNormalizer.TryNormalize(SignalKind.Pdq, "abc", null, 50, out _, out var error);

        Assert.False(accepted);
        Assert.Equal(SignalValidationRule.ValueLength, error!.Rule);
    }

    [Theory]
    [InlineData(SignalKind.VideoMd5, "0123456789ABCDEF0123456789abcdef")]
    [InlineData(SignalKind.Vpdq, "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Video_types_normalize_like_hex_hashes(SignalKind kind, string value)
    {
        var accepted = SignalNormalizer.TryNormalize(kind, value, null, 50, out var signal, out var error);

        Assert.True(accepted, error?.Message);
        Assert.Equal(value.ToLowerInvariant(), signal.ToHex());
        Assert.Equal(kind, signal.Kind);
    }

    [Fact]
    public void Unspecified_type_is_rejected_listing_the_supported_types()
    {
        var error = Reject(SignalKind.Unspecified, ValidHex(SignalKind.Sha256));

        Assert.Equal(SignalValidationRule.TypeUnspecified, error.Rule);
        Assert.Equal(
            "signal type is required; set it to one of PDQ, MD5, SHA1, SHA256, VIDEO_MD5, VPDQ, URL_SHA256, ACCOUNT_SHA256, TEXT_SHA256, PAYMENT_SHA256, URL_HMAC_SHA256, ACCOUNT_HMAC_SHA256, TEXT_HMAC_SHA256, PAYMENT_HMAC_SHA256",
            error.Message);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(99)]
    [InlineData(-1)]
    public void Unknown_type_number_is_rejected_naming_it(int number)
    {
        var error = Reject((SignalKind)number, ValidHex(SignalKind.Sha256));

        Assert.Equal(SignalValidationRule.TypeUnknown, error.Rule);
        Assert.StartsWith($"signal type {number} is not known to this hub", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Minimum_quality_outside_0_to_100_is_a_configuration_bug(int minimum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SignalNormalizer.TryNormalize(SignalKind.Md5, ValidHex(SignalKind.Md5), null, minimum, out _, out _));
    }

    [Fact]
    public void Span_overload_normalizes_like_the_string_overload()
    {
        var text = "  " + ValidHex(SignalKind.Sha1).ToUpperInvariant() + " ";

        var accepted = SignalNormalizer.TryNormalize(SignalKind.Sha1, text.AsSpan(), null, 50, out var signal, out _);

        Assert.True(accepted);
        Assert.Equal(Normalize(SignalKind.Sha1, text), signal);
    }
}
