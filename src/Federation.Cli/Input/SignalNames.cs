using Federation.Cli.Infrastructure;
using Federation.Client.Hashing;
using Federation.Contracts.V1;
using Federation.Core.Signals;

namespace Federation.Cli.Input;

/// <summary>
/// Names on the command line and in input files: signal types as in signal ids (<c>sha256</c>,
/// <c>url_sha256</c>, <c>pdq</c>, ...) or proto names (<c>SIGNAL_TYPE_SHA256</c>), categories
/// (<c>csam</c>, <c>grooming</c>, <c>CATEGORY_SEXTORTION</c>, ...), and the plaintext kinds
/// <c>url</c>, <c>account</c>, <c>text</c>, <c>payment</c> that fedctl hashes locally with the SDK's
/// canonical helpers before anything is sent. A keyed type's value is written as in its signal id,
/// <c>&lt;key id&gt;:&lt;hex&gt;</c> (<c>url_hmac_sha256:k1:9f86…</c>); <c>fedctl hash --key-file</c> prints it so.
/// </summary>
public static class SignalNames
{
    private static readonly Dictionary<string, SignalType> Types = Enum.GetValues<SignalType>()
        .Where(t => t != SignalType.Unspecified)
        .ToDictionary(t => Squash(t.ToString()), t => t);

    private static readonly Dictionary<string, Category> Categories = Enum.GetValues<Category>()
        .Where(c => c != Category.Unspecified)
        .ToDictionary(c => Squash(c.ToString()), c => c);

    /// <summary>The signal id prefix of a type (<c>sha256</c>, <c>url_hmac_sha256</c>, …): the hub's own table.</summary>
    public static string TypeName(SignalType type) =>
        SignalRules.TryGet((SignalKind)type, out var info) ? info.Name : type.ToString().ToLowerInvariant();

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
    /// Resolves a (type, value) pair from input: hash types pass through (a keyed type's value is
    /// <c>&lt;key id&gt;:&lt;hex&gt;</c> and its key id is split off); the plaintext kinds are hashed here
    /// (<c>account</c> and <c>payment</c> values are "platform:account-id" / "rail:identifier").
    /// </summary>
    public static SignalRef Resolve(string type, string value)
    {
        switch (Squash(type))
        {
            case "url":
                return new SignalRef { Type = SignalType.UrlSha256, Value = SignalHashing.UrlSha256(value) };
            case "text":
                return new SignalRef { Type = SignalType.TextSha256, Value = SignalHashing.TextSha256(value) };
            case "account":
                var (platform, account) = SplitPair(value, "account", "platform:account-id");
                return new SignalRef { Type = SignalType.AccountSha256, Value = SignalHashing.AccountSha256(platform, account) };
            case "payment":
                var (rail, identifier) = SplitPair(value, "payment", "rail:identifier");
                return new SignalRef { Type = SignalType.PaymentSha256, Value = SignalHashing.PaymentSha256(rail, identifier) };
        }

        var parsed = ParseType(type);
        if (!KeyedHashing.IsKeyed(parsed))
        {
            return new SignalRef { Type = parsed, Value = value.Trim() };
        }

        var (keyId, hex) = SplitPair(value.Trim(), TypeName(parsed), "key-id:hex");
        return new SignalRef { Type = parsed, KeyId = keyId, Value = hex };
    }

    /// <summary>
    /// A signal reference written as a signal id, "&lt;type&gt;:&lt;value&gt;" (e.g. sha256:9f86d0...), or
    /// "&lt;type&gt;:&lt;key id&gt;:&lt;value&gt;" for a keyed type.
    /// </summary>
    public static SignalRef ParseReference(string reference)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == reference.Length - 1)
        {
            throw CliException.Usage($"'{reference}' is not a signal reference: write <type>:<value>, e.g. sha256:9f86d081...");
        }

        return Resolve(reference[..colon], reference[(colon + 1)..]);
    }

    internal static (string, string) SplitPair(string value, string kind, string shape)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? throw CliException.Usage($"{kind} value must be '{shape}', got '{value}'") : (value[..colon], value[(colon + 1)..]);
    }

    private static string StripPrefix(string name, string prefix) =>
        name.Trim().StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name.Trim()[prefix.Length..] : name.Trim();

    private static string Squash(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
