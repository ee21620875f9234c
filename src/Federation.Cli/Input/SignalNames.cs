using Federation.Cli.Infrastructure;
using Federation.Client.Hashing;
using Federation.Contracts.V1;

namespace Federation.Cli.Input;

/// <summary>
/// Names on the command line and in input files: signal types as in signal ids (<c>sha256</c>,
/// <c>url_sha256</c>, <c>pdq</c>, ...) or proto names (<c>SIGNAL_TYPE_SHA256</c>), categories
/// (<c>csam</c>, <c>grooming</c>, <c>CATEGORY_SEXTORTION</c>, ...), and the plaintext kinds
/// <c>url</c>, <c>account</c>, <c>text</c>, <c>payment</c> that fedctl hashes locally with the SDK's
/// canonical helpers before anything is sent.
/// </summary>
public static class SignalNames
{
    private static readonly Dictionary<string, SignalType> Types = Enum.GetValues<SignalType>()
        .Where(t => t != SignalType.Unspecified)
        .ToDictionary(t => Squash(t.ToString()), t => t);

    private static readonly Dictionary<string, Category> Categories = Enum.GetValues<Category>()
        .Where(c => c != Category.Unspecified)
        .ToDictionary(c => Squash(c.ToString()), c => c);

    public static string TypeName(SignalType type) => type switch
    {
        SignalType.UrlSha256 => "url_sha256",
        SignalType.AccountSha256 => "account_sha256",
        SignalType.TextSha256 => "text_sha256",
        SignalType.PaymentSha256 => "payment_sha256",
        SignalType.VideoMd5 => "video_md5",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static string CategoryName(Category category) => category switch
    {
        Category.CsamGenerated => "csam_generated",
        Category.LivestreamedAbuse => "livestreamed_abuse",
        Category.PredatoryAccount => "predatory_account",
        _ => category.ToString().ToLowerInvariant(),
    };

    public static SignalType ParseType(string name) =>
        Types.TryGetValue(Squash(StripPrefix(name, "SIGNAL_TYPE_")), out var type)
            ? type
            : throw CliException.Usage($"unknown signal type '{name}' (use one of: {string.Join(", ", Types.Values.Select(TypeName))})");

    public static Category ParseCategory(string name) =>
        Categories.TryGetValue(Squash(StripPrefix(name, "CATEGORY_")), out var category)
            ? category
            : throw CliException.Usage($"unknown category '{name}' (use one of: {string.Join(", ", Categories.Values.Select(CategoryName))})");

    /// <summary>Categories separated by ';', '|' or ','.</summary>
    public static List<Category> ParseCategories(string list) =>
        list.Split([';', '|', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseCategory).Distinct().ToList();

    /// <summary>
    /// Resolves a (type, value) pair from input: hash types pass through; the plaintext kinds are
    /// hashed here (<c>account</c> and <c>payment</c> values are "platform:account-id" / "rail:identifier").
    /// </summary>
    public static (SignalType Type, string Value) Resolve(string type, string value)
    {
        switch (Squash(type))
        {
            case "url":
                return (SignalType.UrlSha256, SignalHashing.UrlSha256(value));
            case "text":
                return (SignalType.TextSha256, SignalHashing.TextSha256(value));
            case "account":
                var (platform, account) = SplitPair(value, "account", "platform:account-id");
                return (SignalType.AccountSha256, SignalHashing.AccountSha256(platform, account));
            case "payment":
                var (rail, identifier) = SplitPair(value, "payment", "rail:identifier");
                return (SignalType.PaymentSha256, SignalHashing.PaymentSha256(rail, identifier));
            default:
                return (ParseType(type), value.Trim());
        }
    }

    /// <summary>A signal reference written as a signal id, "&lt;type&gt;:&lt;value&gt;" (e.g. sha256:9f86d0...).</summary>
    public static (SignalType Type, string Value) ParseReference(string reference)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == reference.Length - 1)
        {
            throw CliException.Usage($"'{reference}' is not a signal reference: write <type>:<value>, e.g. sha256:9f86d081...");
        }

        return Resolve(reference[..colon], reference[(colon + 1)..]);
    }

    private static (string, string) SplitPair(string value, string kind, string shape)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? throw CliException.Usage($"{kind} value must be '{shape}', got '{value}'") : (value[..colon], value[(colon + 1)..]);
    }

    private static string StripPrefix(string name, string prefix) =>
        name.Trim().StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name.Trim()[prefix.Length..] : name.Trim();

    private static string Squash(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
