using Federation.Contracts.V1;

namespace Federation.Client.Hashing;

/// <summary>
/// Keyed (HMAC-SHA256) values of URLs, accounts, texts and payment identifiers under one <see cref="CoalitionKey"/>: the
/// <c>*_HMAC_SHA256</c> signal types. Each is the HMAC of exactly the canonical form the plain <see cref="SignalHashing"/>
/// helper hashes (UTF-8), so the canonicalization rules and their pitfalls are the same. Use these for low-entropy
/// identifiers (docs/security.md): a plain SHA-256 of an account name can be reversed by anyone holding a copy of the hub's
/// store and a list of candidate names; an HMAC cannot without the key. During a key rotation use a
/// <see cref="CoalitionKeyRing"/>, which gives the value under every key the member holds.
/// </summary>
public static class KeyedHashing
{
    /// <summary>HMAC of <see cref="SignalHashing.CanonicalUrl"/>: a <c>URL_HMAC_SHA256</c> value.</summary>
    /// <exception cref="ArgumentException">The input is not an absolute URL with a host.</exception>
    public static KeyedValue Url(CoalitionKey key, string url) =>
        Compute(key, SignalType.UrlHmacSha256, SignalHashing.CanonicalUrl(url));

    /// <summary>HMAC of <see cref="SignalHashing.CanonicalAccount"/> (<c>platform:account-id</c>): an <c>ACCOUNT_HMAC_SHA256</c> value.</summary>
    /// <exception cref="ArgumentException">An empty part, or a platform containing <c>:</c>.</exception>
    public static KeyedValue Account(CoalitionKey key, string platform, string accountId) =>
        Compute(key, SignalType.AccountHmacSha256, SignalHashing.CanonicalAccount(platform, accountId));

    /// <summary>HMAC of <see cref="SignalHashing.NormalizeText"/>: a <c>TEXT_HMAC_SHA256</c> value.</summary>
    /// <exception cref="InvalidOperationException">The process runs in invariant globalization mode (no Unicode normalization).</exception>
    public static KeyedValue Text(CoalitionKey key, string text) =>
        Compute(key, SignalType.TextHmacSha256, SignalHashing.NormalizeText(text));

    /// <summary>HMAC of <see cref="SignalHashing.CanonicalPayment"/> (<c>rail:identifier</c>): a <c>PAYMENT_HMAC_SHA256</c> value.</summary>
    /// <exception cref="ArgumentException">An empty part, or a rail containing <c>:</c>.</exception>
    public static KeyedValue Payment(CoalitionKey key, string rail, string identifier) =>
        Compute(key, SignalType.PaymentHmacSha256, SignalHashing.CanonicalPayment(rail, identifier));

    /// <summary>The keyed type whose canonical form matches a plain identifier type (<c>URL_SHA256</c> → <c>URL_HMAC_SHA256</c>, …).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The type has no keyed twin (file hashes, PDQ, video).</exception>
    public static SignalType KeyedTypeOf(SignalType plain) => plain switch
    {
        SignalType.UrlSha256 => SignalType.UrlHmacSha256,
        SignalType.AccountSha256 => SignalType.AccountHmacSha256,
        SignalType.TextSha256 => SignalType.TextHmacSha256,
        SignalType.PaymentSha256 => SignalType.PaymentHmacSha256,
        _ => throw new ArgumentOutOfRangeException(nameof(plain), plain, "only URL, account, text and payment identifiers have keyed types"),
    };

    /// <summary>Whether <paramref name="type"/> is one of the keyed types, which carry a key id.</summary>
    public static bool IsKeyed(SignalType type) => type is SignalType.UrlHmacSha256 or SignalType.AccountHmacSha256
        or SignalType.TextHmacSha256 or SignalType.PaymentHmacSha256;

    /// <summary>The id prefix of a keyed type (<c>url_hmac_sha256</c>, …).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a keyed type.</exception>
    public static string TypeName(SignalType type) => type switch
    {
        SignalType.UrlHmacSha256 => "url_hmac_sha256",
        SignalType.AccountHmacSha256 => "account_hmac_sha256",
        SignalType.TextHmacSha256 => "text_hmac_sha256",
        SignalType.PaymentHmacSha256 => "payment_hmac_sha256",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a keyed signal type"),
    };

    private static KeyedValue Compute(CoalitionKey key, SignalType type, string canonical)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyedValue(type, key.KeyId, key.HmacSha256Hex(canonical));
    }
}
