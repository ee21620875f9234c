using System.Security.Cryptography;
using System.Text;

namespace Federation.Client.Hashing;

/// <summary>
/// The canonical forms and hashes every member computes before sharing a URL, an account, a text or a
/// payment identifier. The hub only ever sees the lowercase hex SHA-256 of the canonical form, so two
/// members match only when they canonicalize identically: use these helpers (or reproduce them exactly,
/// see <c>docs/sdk.md</c> and the test vectors) rather than hashing raw input.
/// </summary>
public static partial class SignalHashing
{
    /// <summary>SHA-256 (lowercase hex) of <see cref="CanonicalUrl"/>; the value of a <c>URL_SHA256</c> signal.</summary>
    /// <exception cref="ArgumentException">The input is not an absolute URL with a host.</exception>
    public static string UrlSha256(string url) => Sha256Hex(CanonicalUrl(url));

    /// <summary>
    /// The canonical form of a URL:
    /// <list type="number">
    /// <item>surrounding whitespace is trimmed; input without <c>://</c> (<c>example.com/x</c>, <c>example.com:8080/x</c>) gets <c>http://</c> in front, but a non-hierarchical URI such as <c>mailto:x</c> is rejected;</item>
    /// <item>it is parsed as an absolute RFC 3986 URI (System.Uri): dot segments are removed, characters
    /// not allowed in a URI are percent-encoded as UTF-8, an empty path becomes <c>/</c>;</item>
    /// <item>the scheme and the host are lowercased and an internationalized host is converted to
    /// punycode (IDNA, <c>bücher.example</c> → <c>xn--bcher-kva.example</c>);</item>
    /// <item>the scheme's default port (80 for http, 443 for https, ...) and the fragment are dropped;</item>
    /// <item>user info, other ports, the path and the query are kept as they are (case included).</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentException">The input is not an absolute URL with a host.</exception>
    public static string CanonicalUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            if (NonHierarchicalScheme().IsMatch(text))
            {
                throw new ArgumentException($"not an absolute URL with a host: '{url}'", nameof(url));
            }

            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"not an absolute URL with a host: '{url}'", nameof(url));
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(uri.Scheme.ToLowerInvariant()).Append("://");
        if (uri.UserInfo.Length > 0)
        {
            builder.Append(uri.UserInfo).Append('@');
        }

        builder.Append(uri.IdnHost.ToLowerInvariant());
        if (!uri.IsDefaultPort && uri.Port >= 0)
        {
            builder.Append(':').Append(uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        builder.Append(uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        return builder.ToString();
    }

    /// <summary>
    /// SHA-256 (lowercase hex) of <c>platform:account-id</c>, the value of an <c>ACCOUNT_SHA256</c> signal.
    /// The platform is trimmed and lowercased (<c>"Instagram "</c> → <c>instagram</c>) and must not
    /// contain <c>:</c>; the account id is trimmed but otherwise kept exactly (case matters on some platforms).
    /// </summary>
    /// <exception cref="ArgumentException">An empty part, or a platform containing <c>:</c>.</exception>
    public static string AccountSha256(string platform, string accountId) => Sha256Hex(CanonicalAccount(platform, accountId));

    /// <summary>The canonical form <see cref="AccountSha256"/> hashes: <c>platform:account-id</c>, platform trimmed and lowercased, account id trimmed.</summary>
    /// <exception cref="ArgumentException">An empty part, or a platform containing <c>:</c>.</exception>
    public static string CanonicalAccount(string platform, string accountId) => Pair(platform, accountId, nameof(platform), nameof(accountId));

    /// <summary>
    /// SHA-256 (lowercase hex) of <c>rail:identifier</c>, the value of a <c>PAYMENT_SHA256</c> signal
    /// (e.g. <c>("btc", "bc1q...")</c>, <c>("paypal", "someone@example.org")</c>). Same rules as
    /// <see cref="AccountSha256"/>: the rail is trimmed and lowercased, the identifier trimmed and kept exactly.
    /// </summary>
    /// <exception cref="ArgumentException">An empty part, or a rail containing <c>:</c>.</exception>
    public static string PaymentSha256(string rail, string identifier) => Sha256Hex(CanonicalPayment(rail, identifier));

    /// <summary>The canonical form <see cref="PaymentSha256"/> hashes: <c>rail:identifier</c>, rail trimmed and lowercased, identifier trimmed.</summary>
    /// <exception cref="ArgumentException">An empty part, or a rail containing <c>:</c>.</exception>
    public static string CanonicalPayment(string rail, string identifier) => Pair(rail, identifier, nameof(rail), nameof(identifier));

    /// <summary>SHA-256 (lowercase hex) of <see cref="NormalizeText"/>; the value of a <c>TEXT_SHA256</c> signal.</summary>
    /// <exception cref="InvalidOperationException">The process runs in invariant globalization mode (no Unicode normalization).</exception>
    public static string TextSha256(string text) => Sha256Hex(NormalizeText(text));

    /// <summary>
    /// The canonical form of a text: Unicode NFKC (compatibility forms folded: <c>ﬁ</c> → <c>fi</c>,
    /// full-width letters → ASCII), then lowercased (invariant culture), then every run of white space
    /// (<see cref="char.IsWhiteSpace(char)"/>: spaces, tabs, line breaks, no-break spaces, ...) replaced
    /// by one U+0020 space, then trimmed. The hash is over the UTF-8 bytes.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The process runs with <c>InvariantGlobalization</c>, where .NET silently skips Unicode normalization;
    /// hashing then would disagree with other members, so it refuses instead.
    /// </exception>
    public static string NormalizeText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        EnsureNormalizationAvailable();
        var folded = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var builder = new StringBuilder(folded.Length);
        var pendingSpace = false;
        foreach (var c in folded)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes of <paramref name="value"/>.</summary>
    public static string Sha256Hex(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>Lowercase hex SHA-256 of a stream's remaining bytes (a file's <c>SHA256</c> signal value).</summary>
    public static async Task<string> FileSha256Async(Stream content, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>Lowercase hex MD5 of a stream's remaining bytes (a file's <c>MD5</c> signal value; MD5 only for matching legacy hash lists).</summary>
    public static async Task<string> FileMd5Async(Stream content, CancellationToken cancellationToken = default) =>
#pragma warning disable CA5351 // MD5 is a signal type shared by the industry's hash lists, not a security primitive here.
        Convert.ToHexStringLower(await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false));
#pragma warning restore CA5351

    private static string Pair(string prefix, string identifier, string prefixName, string identifierName)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(identifier);
        var p = prefix.Trim().ToLowerInvariant();
        var id = identifier.Trim();
        if (p.Length == 0)
        {
            throw new ArgumentException("must not be empty", prefixName);
        }

        if (p.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"must not contain ':' (got '{prefix}')", prefixName);
        }

        if (id.Length == 0)
        {
            throw new ArgumentException("must not be empty", identifierName);
        }

        return p + ":" + id;
    }

    // "mailto:x", "urn:x": a scheme followed by something other than a port number.
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:(?![0-9])")]
    private static partial System.Text.RegularExpressions.Regex NonHierarchicalScheme();

    private static void EnsureNormalizationAvailable()
    {
        // In invariant globalization mode string.Normalize returns its input unchanged.
        if ("\uFB01".Normalize(NormalizationForm.FormKC) != "fi")
        {
            throw new InvalidOperationException(
                "Unicode NFKC normalization is unavailable (InvariantGlobalization is on); text hashes would not match other members. " +
                "Set <InvariantGlobalization>false</InvariantGlobalization> and install ICU (libicu).");
        }
    }
}
