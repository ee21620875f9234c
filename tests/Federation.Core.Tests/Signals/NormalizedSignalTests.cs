using Federation.Core.Signals;
using static Federation.Core.Tests.Signals.SignalTestData;

namespace Federation.Core.Tests.Signals;

public sealed class NormalizedSignalTests
{
    // SHA-256("abc") and MD5("abc"), the FIPS 180 / RFC 1321 test vectors.
    private const string Sha256OfAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string Md5OfAbc = "900150983cd24fb0d6963f7d28e17f72";

    public static TheoryData<SignalKind> SupportedKinds => Kinds;

    [Theory]
    [InlineData(SignalKind.Pdq, "pdq")]
    [InlineData(SignalKind.Md5, "md5")]
    [InlineData(SignalKind.Sha1, "sha1")]
    [InlineData(SignalKind.Sha256, "sha256")]
    [InlineData(SignalKind.VideoMd5, "video_md5")]
    [InlineData(SignalKind.Vpdq, "vpdq")]
    [InlineData(SignalKind.UrlSha256, "url_sha256")]
    [InlineData(SignalKind.AccountSha256, "account_sha256")]
    [InlineData(SignalKind.TextSha256, "text_sha256")]
    [InlineData(SignalKind.PaymentSha256, "payment_sha256")]
    public void Id_prefix_is_the_lowercase_type_name(SignalKind kind, string name)
    {
        Assert.Equal(name, SignalRules.Get(kind).Name);
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Id_is_name_colon_lowercase_hex_and_round_trips(SignalKind kind)
    {
        var hex = ValidHex(kind);
        var signal = Normalize(kind, hex.ToUpperInvariant());

        var id = signal.Id;

        Assert.Equal(SignalRules.Get(kind).Name + ":" + hex, id);
        Assert.True(NormalizedSignal.TryParseId(id, out var parsed));
        Assert.Equal(signal, parsed);
        Assert.Equal(id, signal.ToString());
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void TryFormatId_writes_the_id_without_allocating_and_refuses_a_short_buffer(SignalKind kind)
    {
        var signal = Normalize(kind, ValidHex(kind));
        Span<char> buffer = stackalloc char[SignalRules.MaxIdLength];

        Assert.True(signal.TryFormatId(buffer, out var written));
        Assert.Equal(signal.Id, buffer[..written].ToString());
        Assert.False(signal.TryFormatId(buffer[..(written - 1)], out _));
    }

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Key_is_one_type_byte_plus_the_raw_bytes_and_round_trips(SignalKind kind)
    {
        var signal = Normalize(kind, ValidHex(kind));
        Span<byte> key = stackalloc byte[SignalRules.MaxKeyLength];

        var written = signal.WriteKey(key);

        Assert.Equal(1 + SignalRules.Get(kind).RawLength, written);
        Assert.Equal(written, signal.KeyLength);
        Assert.Equal((byte)kind, key[0]);
        Assert.True(key[1..written].SequenceEqual(signal.RawBytes));
        Assert.Equal(signal, NormalizedSignal.FromKey(key[..written]));
    }

    [Fact]
    public void Sha256_key_is_33_bytes()
    {
        var signal = Normalize(SignalKind.Sha256, Sha256OfAbc);
        var key = new byte[40];

        Assert.Equal(33, signal.WriteKey(key));
        Assert.Equal("04" + Sha256OfAbc, Convert.ToHexStringLower(key.AsSpan(0, 33)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("04")]
    [InlineData("04ba78")]
    [InlineData("0b" + Sha256OfAbc)]
    [InlineData("ff" + Sha256OfAbc)]
    [InlineData("02" + Sha256OfAbc)]
    [InlineData("05" + Sha256OfAbc)]
    [InlineData("00" + Sha256OfAbc)]
    public void Keys_with_an_unsupported_type_byte_or_the_wrong_length_are_refused(string keyHex)
    {
        var key = Convert.FromHexString(keyHex);

        Assert.False(NormalizedSignal.TryFromKey(key, out var signal));
        Assert.True(signal.IsDefault);
        Assert.Throws<FormatException>(() => NormalizedSignal.FromKey(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData(":" + Sha256OfAbc)]
    [InlineData("SHA256:" + Sha256OfAbc)]
    [InlineData("sha256:" + Md5OfAbc)]
    [InlineData("sha256:" + Sha256OfAbc + "0")]
    [InlineData("sha256: " + Sha256OfAbc)]
    [InlineData("sha512:" + Sha256OfAbc)]
    [InlineData("video_md5:" + Sha256OfAbc)]
    [InlineData("md5:900150983cd24fb0d6963f7d28e17fzz")]
    public void Malformed_ids_are_refused(string? id)
    {
        Assert.False(NormalizedSignal.TryParseId(id, out var signal));
        Assert.True(signal.IsDefault);
    }

    [Fact]
    public void Id_with_upper_case_hex_parses_to_the_normalized_signal()
    {
        Assert.True(NormalizedSignal.TryParseId("md5:" + Md5OfAbc.ToUpperInvariant(), out var signal));

        Assert.Equal("md5:" + Md5OfAbc, signal.Id);
    }

    [Theory]
    // SHA-256("abc") starts ba 78: big-endian 0xBA78 = 186 * 256 + 120 = 47736.
    // 47736 = 16 * 2983 + 8;  = 10 * 4773 + 6;  = 7 * 6819 + 3;  = 64 * 745 + 56.
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 16, 8)]
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 10, 6)]
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 7, 3)]
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 64, 56)]
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 1, 0)]
    [InlineData(SignalKind.Sha256, Sha256OfAbc, 65536, 47736)]
    // MD5("abc") starts 90 01: 0x9001 = 144 * 256 + 1 = 36865 = 16 * 2304 + 1 = 10 * 3686 + 5.
    [InlineData(SignalKind.Md5, Md5OfAbc, 16, 1)]
    [InlineData(SignalKind.Md5, Md5OfAbc, 10, 5)]
    // ff ff: 65535 = 16 * 4095 + 15.
    [InlineData(SignalKind.Sha1, "ffff000000000000000000000000000000000000", 16, 15)]
    // 00 00 is partition 0 whatever the count.
    [InlineData(SignalKind.Pdq, "0000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 16, 0)]
    public void Partition_is_the_first_two_bytes_big_endian_modulo_the_count_and_never_changes(
        SignalKind kind, string hex, int partitionCount, int expected)
    {
        var signal = Normalize(kind, hex);

        Assert.Equal(expected, signal.Partition(partitionCount));
    }

    [Fact]
    public void Partition_depends_on_the_value_only_not_the_type()
    {
        var file = Normalize(SignalKind.Sha256, Sha256OfAbc);
        var url = Normalize(SignalKind.UrlSha256, Sha256OfAbc);

        Assert.Equal(file.Partition(16), url.Partition(16));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65537)]
    public void Partition_count_outside_1_to_65536_is_refused(int partitionCount)
    {
        var signal = Normalize(SignalKind.Sha256, Sha256OfAbc);

        Assert.Throws<ArgumentOutOfRangeException>(() => signal.Partition(partitionCount));
    }

    [Fact]
    public void Signals_are_equal_when_kind_and_bytes_are_equal()
    {
        var lower = Normalize(SignalKind.Sha256, Sha256OfAbc);
        var upper = Normalize(SignalKind.Sha256, " " + Sha256OfAbc.ToUpperInvariant());
        var otherKind = Normalize(SignalKind.UrlSha256, Sha256OfAbc);

        Assert.True(lower == upper);
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.True(lower != otherKind);
        Assert.NotEqual(default, lower);
    }

    [Fact]
    public void FromRaw_builds_the_same_signal_as_normalizing_its_hex()
    {
        var raw = Convert.FromHexString(Md5OfAbc);

        Assert.Equal(Normalize(SignalKind.Md5, Md5OfAbc), NormalizedSignal.FromRaw(SignalKind.Md5, raw));
    }

    [Theory]
    [InlineData(SignalKind.Md5, 15)]
    [InlineData(SignalKind.Sha256, 16)]
    [InlineData(SignalKind.VideoMd5, 15)]
    [InlineData(SignalKind.Unspecified, 32)]
    public void FromRaw_refuses_unsupported_kinds_and_wrong_lengths(SignalKind kind, int length)
    {
        Assert.Throws<ArgumentException>(() => NormalizedSignal.FromRaw(kind, new byte[length]));
    }

    [Fact]
    public void Default_signal_has_no_key_and_no_partition()
    {
        var none = default(NormalizedSignal);

        Assert.True(none.IsDefault);
        Assert.Equal("(none)", none.ToString());
        Assert.Throws<InvalidOperationException>(() => none.WriteKey(new byte[SignalRules.MaxKeyLength]));
        Assert.Throws<InvalidOperationException>(() => none.Partition(16));
    }

    [Fact]
    public void WriteKey_refuses_a_buffer_shorter_than_the_key()
    {
        var signal = Normalize(SignalKind.Sha256, Sha256OfAbc);

        Assert.Throws<ArgumentException>(() => signal.WriteKey(new byte[32]));
    }
}
