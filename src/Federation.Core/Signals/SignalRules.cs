using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace Federation.Core.Signals;

/// <summary>
/// The type table: one <see cref="SignalTypeInfo"/> per <see cref="SignalKind"/>. Kept as an array indexed by
/// the kind's number so that the per-item lookup on the submit path is a bounds check and a load.
/// </summary>
public static class SignalRules
{
    /// <summary>The longest raw value of any supported kind (SHA-256 family and PDQ).</summary>
    public const int MaxRawLength = 32;

    /// <summary>
    /// The longest binary key <see cref="NormalizedSignal.WriteKey"/> writes: one type byte, the raw value, and for a keyed
    /// kind a length byte and the key id.
    /// </summary>
    public const int MaxKeyLength = 1 + MaxRawLength + 1 + SignalKeyId.MaxLength;

    /// <summary>
    /// The longest textual id <see cref="NormalizedSignal.Id"/> produces: <c>payment_hmac_sha256:</c>, a key id of
    /// <see cref="SignalKeyId.MaxLength"/> characters, <c>:</c> and 64 hex.
    /// </summary>
    public const int MaxIdLength = 20 + SignalKeyId.MaxLength + 1 + (2 * MaxRawLength);

    private const string FileHint = "hash the file client-side";

    private static readonly SignalTypeInfo?[] ByKind =
    [
        null,
        new(SignalKind.Pdq, "pdq", "PDQ", 32, isNearMatchable: true, "compute the PDQ hash of the image client-side (fedctl hash does it)"),
        new(SignalKind.Md5, "md5", "MD5", 16, isNearMatchable: false, FileHint),
        new(SignalKind.Sha1, "sha1", "SHA1", 20, isNearMatchable: false, FileHint),
        new(SignalKind.Sha256, "sha256", "SHA256", 32, isNearMatchable: false, FileHint),
        new(SignalKind.VideoMd5, "video_md5", "VIDEO_MD5", 16, isNearMatchable: false, "hash the video file client-side"),
        // The raw value of a VPDQ signal is its identity, the SHA-256 of its canonical frame set (Core.Vpdq.VpdqFrameSet).
        new(SignalKind.Vpdq, "vpdq", "VPDQ", 32, isNearMatchable: true,
            "compute the vPDQ of the video client-side (fedctl hash does it) and send its frames; the value is the identity the hub derives from them"),
        new(SignalKind.UrlSha256, "url_sha256", "URL_SHA256", 32, isNearMatchable: false,
            "send the SHA-256 of the canonical URL; the Federation SDK and fedctl canonicalize and hash URLs client-side"),
        new(SignalKind.AccountSha256, "account_sha256", "ACCOUNT_SHA256", 32, isNearMatchable: false,
            "send the SHA-256 of \"platform:account-id\"; the Federation SDK and fedctl hash accounts client-side"),
        new(SignalKind.TextSha256, "text_sha256", "TEXT_SHA256", 32, isNearMatchable: false,
            "send the SHA-256 of the normalized text; the Federation SDK and fedctl normalize and hash text client-side"),
        new(SignalKind.PaymentSha256, "payment_sha256", "PAYMENT_SHA256", 32, isNearMatchable: false,
            "send the SHA-256 of \"rail:identifier\"; the Federation SDK and fedctl hash payment identifiers client-side"),
        // Keyed twins of the four identifier kinds: the same canonical forms, HMAC-SHA256 under a coalition key the hub
        // never holds, so a copy of the store cannot be reversed with a dictionary (docs/security.md).
        new(SignalKind.UrlHmacSha256, "url_hmac_sha256", "URL_HMAC_SHA256", 32, isNearMatchable: false,
            KeyedHint("the canonical URL"), isKeyed: true),
        new(SignalKind.AccountHmacSha256, "account_hmac_sha256", "ACCOUNT_HMAC_SHA256", 32, isNearMatchable: false,
            KeyedHint("\"platform:account-id\""), isKeyed: true),
        new(SignalKind.TextHmacSha256, "text_hmac_sha256", "TEXT_HMAC_SHA256", 32, isNearMatchable: false,
            KeyedHint("the normalized text"), isKeyed: true),
        new(SignalKind.PaymentHmacSha256, "payment_hmac_sha256", "PAYMENT_HMAC_SHA256", 32, isNearMatchable: false,
            KeyedHint("\"rail:identifier\""), isKeyed: true),
    ];

    private static string KeyedHint(string canonical) =>
        $"send the HMAC-SHA256 of {canonical} under your coalition key and its key id; the Federation SDK (KeyedHashing) and fedctl hash --key-file compute it client-side";

    /// <summary>Every defined kind (supported or reserved), in numeric order.</summary>
    public static ReadOnlyCollection<SignalTypeInfo> All { get; } = Array.AsReadOnly(ByKind.OfType<SignalTypeInfo>().ToArray());

    /// <summary>The comma-separated display names of the supported kinds, for "use one of …" messages.</summary>
    public static string SupportedDisplayNames { get; } =
        string.Join(", ", All.Where(t => t.IsSupported).Select(t => t.DisplayName));

    /// <summary>Finds the table entry of a defined kind; false for <see cref="SignalKind.Unspecified"/> and unknown numbers.</summary>
    public static bool TryGet(SignalKind kind, [NotNullWhen(true)] out SignalTypeInfo? info)
    {
        var index = (uint)kind;
        info = index < (uint)ByKind.Length ? ByKind[index] : null;
        return info is not null;
    }

    /// <summary>The table entry of a defined kind.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The kind is unspecified or unknown.</exception>
    public static SignalTypeInfo Get(SignalKind kind) =>
        TryGet(kind, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown signal kind.");

    /// <summary>Whether the hub accepts <paramref name="kind"/> today.</summary>
    public static bool IsSupported(SignalKind kind) => TryGet(kind, out var info) && info.IsSupported;

    /// <summary>Finds a kind by its id prefix (<c>sha256</c>, <c>url_sha256</c>, …); exact, case-sensitive.</summary>
    public static bool TryGetByName(ReadOnlySpan<char> name, [NotNullWhen(true)] out SignalTypeInfo? info)
    {
        foreach (var candidate in ByKind)
        {
            if (candidate is not null && name.SequenceEqual(candidate.Name))
            {
                info = candidate;
                return true;
            }
        }

        info = null;
        return false;
    }
}
