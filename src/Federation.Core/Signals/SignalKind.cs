namespace Federation.Core.Signals;

/// <summary>
/// The kind of hashed indicator a signal carries. Core keeps its own enum so that it never references the
/// generated contracts; every numeric value equals the proto <c>federation.v1.SignalType</c> value, so the
/// hub converts with a plain cast. The values are also written into Redis keys: never renumber them.
/// </summary>
public enum SignalKind
{
    /// <summary>Not set; always rejected.</summary>
    Unspecified = 0,

    /// <summary>256-bit PDQ perceptual image hash; near-matchable by Hamming distance.</summary>
    Pdq = 1,

    /// <summary>MD5 of a file.</summary>
    Md5 = 2,

    /// <summary>SHA-1 of a file.</summary>
    Sha1 = 3,

    /// <summary>SHA-256 of a file.</summary>
    Sha256 = 4,

    /// <summary>MD5 of a video file. Reserved: rejected until video support lands.</summary>
    VideoMd5 = 5,

    /// <summary>vPDQ video hash. Reserved: rejected until video support lands.</summary>
    Vpdq = 6,

    /// <summary>SHA-256 of the canonical URL, computed client-side.</summary>
    UrlSha256 = 7,

    /// <summary>SHA-256 of <c>platform:account-id</c>, computed client-side.</summary>
    AccountSha256 = 8,

    /// <summary>SHA-256 of normalized text, computed client-side.</summary>
    TextSha256 = 9,

    /// <summary>SHA-256 of <c>rail:identifier</c> for payment accounts and wallets, computed client-side.</summary>
    PaymentSha256 = 10,

    /// <summary>HMAC-SHA256 of the canonical URL under a coalition key the hub never holds; carries a key id.</summary>
    UrlHmacSha256 = 11,

    /// <summary>HMAC-SHA256 of <c>platform:account-id</c> under a coalition key; carries a key id.</summary>
    AccountHmacSha256 = 12,

    /// <summary>HMAC-SHA256 of normalized text under a coalition key; carries a key id.</summary>
    TextHmacSha256 = 13,

    /// <summary>HMAC-SHA256 of <c>rail:identifier</c> under a coalition key; carries a key id.</summary>
    PaymentHmacSha256 = 14,
}
