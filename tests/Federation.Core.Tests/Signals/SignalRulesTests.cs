using System.Text.RegularExpressions;
using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

public sealed partial class SignalRulesTests
{
    [Theory]
    [InlineData(SignalKind.Pdq, 32, true, true)]
    [InlineData(SignalKind.Md5, 16, true, false)]
    [InlineData(SignalKind.Sha1, 20, true, false)]
    [InlineData(SignalKind.Sha256, 32, true, false)]
    [InlineData(SignalKind.VideoMd5, 16, true, false)]
    [InlineData(SignalKind.Vpdq, 32, true, true)]
    [InlineData(SignalKind.UrlSha256, 32, true, false)]
    [InlineData(SignalKind.AccountSha256, 32, true, false)]
    [InlineData(SignalKind.TextSha256, 32, true, false)]
    [InlineData(SignalKind.PaymentSha256, 32, true, false)]
    [InlineData(SignalKind.UrlHmacSha256, 32, true, false)]
    [InlineData(SignalKind.AccountHmacSha256, 32, true, false)]
    [InlineData(SignalKind.TextHmacSha256, 32, true, false)]
    [InlineData(SignalKind.PaymentHmacSha256, 32, true, false)]
    public void Type_table_has_length_support_and_near_matching_per_kind(SignalKind kind, int rawLength, bool supported, bool nearMatchable)
    {
        var info = SignalRules.Get(kind);

        Assert.Equal(kind, info.Kind);
        Assert.Equal(rawLength, info.RawLength);
        Assert.Equal(supported, info.IsSupported);
        Assert.Equal(supported, SignalRules.IsSupported(kind));
        Assert.Equal(nearMatchable, info.IsNearMatchable);
        Assert.Equal(supported, info.UnsupportedReason is null);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(-5)]
    public void Unspecified_and_unknown_kinds_have_no_entry(int number)
    {
        Assert.False(SignalRules.TryGet((SignalKind)number, out _));
        Assert.False(SignalRules.IsSupported((SignalKind)number));
        Assert.Throws<ArgumentOutOfRangeException>(() => SignalRules.Get((SignalKind)number));
    }

    [Fact]
    public void Every_defined_kind_is_in_the_table_once_in_numeric_order()
    {
        var kinds = SignalRules.All.Select(t => t.Kind).ToArray();

        Assert.Equal(Enum.GetValues<SignalKind>().Where(k => k != SignalKind.Unspecified), kinds);
    }

    [Theory]
    [InlineData("url_sha256", SignalKind.UrlSha256)]
    [InlineData("pdq", SignalKind.Pdq)]
    public void Kinds_are_found_by_their_id_name(string name, SignalKind kind)
    {
        Assert.True(SignalRules.TryGetByName(name, out var info));
        Assert.Equal(kind, info.Kind);
        Assert.False(SignalRules.TryGetByName(name.ToUpperInvariant(), out _));
    }

    [Fact]
    public void Max_lengths_cover_every_kind()
    {
        Assert.All(SignalRules.All, t => Assert.InRange(t.RawLength, 0, SignalRules.MaxRawLength));
        Assert.Equal(SignalRules.MaxIdLength, SignalRules.All.Max(t => t.Name.Length + 1 + t.HexLength + (t.IsKeyed ? SignalKeyId.MaxLength + 1 : 0)));
        Assert.Equal(SignalRules.MaxKeyLength, SignalRules.All.Max(t => 1 + t.RawLength + (t.IsKeyed ? 1 + SignalKeyId.MaxLength : 0)));
    }

    // Core cannot reference the generated contracts, so this guards the promise that the hub may cast:
    // every proto enum value has a Core member of the same name and number, and vice versa.
    [Fact]
    public void SignalKind_numbers_and_names_match_the_proto_SignalType()
    {
        var proto = ReadProtoEnum(SignalTypeValue());

        Assert.Equal(proto.Count, Enum.GetValues<SignalKind>().Length);
        foreach (var (name, number) in proto)
        {
            var kind = Enum.Parse<SignalKind>(PascalCase(name));
            Assert.Equal(number, (int)kind);
            if (kind != SignalKind.Unspecified)
            {
                Assert.Equal(name, SignalRules.Get(kind).DisplayName);
            }
        }
    }

    [Fact]
    public void SignalCategory_numbers_and_names_match_the_proto_Category()
    {
        var proto = ReadProtoEnum(CategoryValue());

        Assert.Equal(proto.Count, Enum.GetValues<SignalCategory>().Length);
        foreach (var (name, number) in proto)
        {
            Assert.Equal(number, (int)Enum.Parse<SignalCategory>(PascalCase(name)));
        }

        Assert.Equal((int)CategoryValidation.HighestKnown, proto.Values.Max());
    }

    private static Dictionary<string, int> ReadProtoEnum(Regex value)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "protos", "federation", "v1", "signal.proto")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var text = File.ReadAllText(Path.Combine(directory.FullName, "protos", "federation", "v1", "signal.proto"));
        return value.Matches(text).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
    }

    private static string PascalCase(string protoName) =>
        string.Concat(protoName.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    [GeneratedRegex(@"^\s*SIGNAL_TYPE_(\w+)\s*=\s*(\d+);", RegexOptions.Multiline)]
    private static partial Regex SignalTypeValue();

    [GeneratedRegex(@"^\s*CATEGORY_(\w+)\s*=\s*(\d+);", RegexOptions.Multiline)]
    private static partial Regex CategoryValue();
}
