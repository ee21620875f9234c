using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Federation.Client.Hashing;

/// <summary>
/// One coalition HMAC key and its key id. Members share the key out of band (never through the hub); the hub sees only the
/// key id and the HMACs computed under it. The key bytes are private to this object: no property returns them and
/// <see cref="ToString"/> shows the key id only, so the key does not end up in logs by accident.
/// </summary>
public sealed class CoalitionKey
{
    /// <summary>The shortest key accepted, in bytes (128 bits). Generate 32 random bytes (<c>openssl rand -hex 32</c>).</summary>
    public const int MinKeyBytes = 16;

    /// <summary>The longest key id, as the hub accepts it.</summary>
    public const int MaxKeyIdLength = 32;

    private readonly byte[] _key;

    /// <summary>Creates a key from its id and its bytes (copied).</summary>
    /// <param name="keyId">The coalition's name for the key, <c>[a-z0-9][a-z0-9-]{0,31}</c>, e.g. <c>k2025a</c>.</param>
    /// <param name="key">At least <see cref="MinKeyBytes"/> random bytes; 32 are recommended.</param>
    /// <exception cref="ArgumentException">The key id is malformed or the key is too short.</exception>
    public CoalitionKey(string keyId, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (Problem(keyId, key.Length) is { } problem)
        {
            throw new ArgumentException(problem, IsValidKeyId(keyId) ? nameof(key) : nameof(keyId));
        }

        KeyId = keyId;
        _key = key.ToArray();
    }

    /// <summary>The key id sent with every value computed under this key.</summary>
    public string KeyId { get; }

    /// <summary>Creates a key from its hex form (e.g. the output of <c>openssl rand -hex 32</c>).</summary>
    /// <exception cref="ArgumentException">The key id is malformed, the hex does not decode, or the key is too short.</exception>
    public static CoalitionKey FromHex(string keyId, string hex) =>
        TryFromHex(keyId, hex, out var key, out var error) ? key : throw new ArgumentException(error, nameof(hex));

    // Messages name the key id, never the key text: a mistyped key is still (nearly) a secret.
    internal static bool TryFromHex(string keyId, string hex, [NotNullWhen(true)] out CoalitionKey? key, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(hex);
        key = null;
        var text = hex.Trim();
        if (text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
        {
            error = IsValidKeyId(keyId) ? $"key '{keyId}' is not hex (an even number of 0-9 and a-f)" : Problem(keyId, 0)!;
            return false;
        }

        var bytes = Convert.FromHexString(text);
        error = Problem(keyId, bytes.Length);
        if (error is null)
        {
            key = new CoalitionKey(keyId, bytes);
        }

        CryptographicOperations.ZeroMemory(bytes);
        return error is null;
    }

    /// <summary>Lowercase hex HMAC-SHA256 under this key of the UTF-8 bytes of <paramref name="canonical"/>.</summary>
    public string HmacSha256Hex(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The key id only; never the key.</summary>
    public override string ToString() => $"coalition key {KeyId}";

    private static string? Problem(string keyId, int keyLength) =>
        !IsValidKeyId(keyId) ? $"a key id is 1-{MaxKeyIdLength} characters of a-z, 0-9 and '-', starting with a letter or digit; got '{keyId}'"
        : keyLength < MinKeyBytes ? $"a coalition key is at least {MinKeyBytes} bytes (32 random bytes recommended); key '{keyId}' has {keyLength}"
        : null;

    // The hub's rule (Federation.Core SignalKeyId), repeated because the SDK does not depend on the hub's libraries:
    // a malformed id fails here, before anything is computed or sent.
    private static bool IsValidKeyId(string keyId) =>
        keyId.Length is > 0 and <= MaxKeyIdLength && keyId[0] != '-'
        && keyId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
