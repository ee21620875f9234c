using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Federation.Core.Signals;

/// <summary>
/// Turns a submitted <c>(type, value, quality)</c> into a <see cref="NormalizedSignal"/> or a precise
/// <see cref="SignalValidationError"/>. Runs for every submitted and looked-up item, so the accepting path
/// allocates nothing: trim, one length check, one vectorized hex decode into a stack buffer. Diagnosing a bad
/// value (plaintext? stray character? wrong length?) happens only after that fast path has failed.
/// </summary>
public static class SignalNormalizer
{
    /// <summary>The PDQ quality floor the design recommends; the hub makes it configurable.</summary>
    public const int DefaultMinPdqQuality = 50;

    /// <summary>The highest quality a PDQ hasher reports.</summary>
    public const int MaxPdqQuality = 100;

    /// <summary>Validates and normalizes one submitted value.</summary>
    /// <param name="kind">The submitted type (the proto <c>SignalType</c> cast to <see cref="SignalKind"/>).</param>
    /// <param name="value">The submitted value: hex, any case, surrounding whitespace ignored.</param>
    /// <param name="quality">The PDQ quality; required for PDQ, ignored for every other type.</param>
    /// <param name="minPdqQuality">The hub's configured PDQ quality floor, 0–100.</param>
    /// <param name="signal">The normalized signal when the value is accepted; otherwise <c>default</c>.</param>
    /// <param name="error">Why the value is refused; null when it is accepted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minPdqQuality"/> is outside 0–100 (a configuration bug).</exception>
    public static bool TryNormalize(
        SignalKind kind,
        string? value,
        uint? quality,
        int minPdqQuality,
        out NormalizedSignal signal,
        [NotNullWhen(false)] out SignalValidationError? error) =>
        TryNormalize(kind, value.AsSpan(), ReadOnlySpan<char>.Empty, quality, minPdqQuality, out signal, out error);

    /// <inheritdoc cref="TryNormalize(SignalKind, string?, uint?, int, out NormalizedSignal, out SignalValidationError?)"/>
    public static bool TryNormalize(
        SignalKind kind,
        ReadOnlySpan<char> value,
        uint? quality,
        int minPdqQuality,
        out NormalizedSignal signal,
        [NotNullWhen(false)] out SignalValidationError? error) =>
        TryNormalize(kind, value, ReadOnlySpan<char>.Empty, quality, minPdqQuality, out signal, out error);

    /// <summary>Validates and normalizes one submitted value with the key id it carries (required for keyed kinds only).</summary>
    /// <param name="kind">The submitted type (the proto <c>SignalType</c> cast to <see cref="SignalKind"/>).</param>
    /// <param name="value">The submitted value: hex, any case, surrounding whitespace ignored.</param>
    /// <param name="keyId">The submitted key id, empty when unset; checked by <see cref="SignalKeyId.TryCheck"/>, never trimmed or lowercased.</param>
    /// <param name="quality">The PDQ quality; required for PDQ, ignored for every other type.</param>
    /// <param name="minPdqQuality">The hub's configured PDQ quality floor, 0–100.</param>
    /// <param name="signal">The normalized signal when the value is accepted; otherwise <c>default</c>.</param>
    /// <param name="error">Why the value is refused; null when it is accepted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minPdqQuality"/> is outside 0–100 (a configuration bug).</exception>
    public static bool TryNormalize(
        SignalKind kind,
        string? value,
        string? keyId,
        uint? quality,
        int minPdqQuality,
        out NormalizedSignal signal,
        [NotNullWhen(false)] out SignalValidationError? error) =>
        TryNormalize(kind, value.AsSpan(), keyId.AsSpan(), quality, minPdqQuality, out signal, out error);

    /// <inheritdoc cref="TryNormalize(SignalKind, string?, string?, uint?, int, out NormalizedSignal, out SignalValidationError?)"/>
    public static bool TryNormalize(
        SignalKind kind,
        ReadOnlySpan<char> value,
        ReadOnlySpan<char> keyId,
        uint? quality,
        int minPdqQuality,
        out NormalizedSignal signal,
        [NotNullWhen(false)] out SignalValidationError? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minPdqQuality);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minPdqQuality, MaxPdqQuality);
        signal = default;

        if (!SignalRules.TryGet(kind, out var info))
        {
            error = kind == SignalKind.Unspecified
                ? new SignalValidationError(SignalValidationRule.TypeUnspecified, "type",
                    $"signal type is required; set it to one of {SignalRules.SupportedDisplayNames}")
                : new SignalValidationError(SignalValidationRule.TypeUnknown, "type",
                    $"signal type {(int)kind} is not known to this hub; use one of {SignalRules.SupportedDisplayNames}");
            return false;
        }

        if (info.UnsupportedReason is { } reason)
        {
            error = new SignalValidationError(SignalValidationRule.TypeUnsupported, "type", reason);
            return false;
        }

        var trimmed = value.Trim();
        Span<byte> raw = stackalloc byte[SignalRules.MaxRawLength];
        raw = raw[..info.RawLength];
        if (trimmed.Length != info.HexLength || Convert.FromHexString(trimmed, raw, out _, out _) != OperationStatus.Done)
        {
            error = DescribeBadValue(info, trimmed);
            return false;
        }

        if (info.Kind == SignalKind.Pdq && !TryCheckQuality(quality, minPdqQuality, out error))
        {
            return false;
        }

        if (!SignalKeyId.TryCheck(info, keyId, out error))
        {
            return false;
        }

        signal = new NormalizedSignal(info.Kind, raw, keyId);
        error = null;
        return true;
    }

    private static bool TryCheckQuality(uint? quality, int minimum, [NotNullWhen(false)] out SignalValidationError? error)
    {
        error = quality switch
        {
            null => new SignalValidationError(SignalValidationRule.QualityMissing, "quality",
                $"PDQ quality is required: send the 0-{MaxPdqQuality} quality your PDQ hasher reports (this hub's minimum is {minimum})"),
            > MaxPdqQuality => new SignalValidationError(SignalValidationRule.QualityRange, "quality",
                $"PDQ quality must be between 0 and {MaxPdqQuality}; got {quality}"),
            { } q when q < minimum => new SignalValidationError(SignalValidationRule.QualityTooLow, "quality",
                $"PDQ quality {q} is below this hub's minimum of {minimum}; hashes of low-quality images (flat, tiny, mostly one colour) match unrelated images, so skip this one"),
            _ => null,
        };
        return error is null;
    }

    // The slow path: the value did not decode. Work out the most helpful reason. Never echo the value itself:
    // a "hash" that fails to parse may be a child's e-mail address or a URL to abuse material.
    private static SignalValidationError DescribeBadValue(SignalTypeInfo info, ReadOnlySpan<char> value)
    {
        var type = info.DisplayName;
        if (value.IsEmpty)
        {
            return new SignalValidationError(SignalValidationRule.ValueEmpty, "value",
                $"{type} value is required: {info.HexLength} hex characters");
        }

        var plaintextReason =
            value.Contains("://", StringComparison.Ordinal) ? "it contains \"://\" like a URL"
            : value.Contains('@') ? "it contains '@' like an e-mail address or a handle"
            : ContainsWhitespace(value) ? "it contains whitespace"
            : null;

        if (plaintextReason is null)
        {
            if (value.Length > info.Name.Length && value[info.Name.Length] == ':'
                && value.StartsWith(info.Name, StringComparison.OrdinalIgnoreCase))
            {
                return new SignalValidationError(SignalValidationRule.ValueHex, "value",
                    $"{type} value must be the bare hex hash; remove the \"{info.Name}:\" prefix (that is the signal id form)");
            }

            if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return new SignalValidationError(SignalValidationRule.ValueHex, "value",
                    $"{type} value must be the bare hex hash; remove the \"0x\" prefix");
            }

            if (ContainsNonHexLetter(value))
            {
                plaintextReason = "it contains letters other than a-f";
            }
        }

        if (plaintextReason is not null)
        {
            return new SignalValidationError(SignalValidationRule.ValuePlaintext, "value",
                $"{type} value looks like plaintext ({plaintextReason}); the hub accepts only hashes, never plaintext URLs, accounts, e-mail addresses or content: {info.HashHint}, and send the {info.HexLength} hex characters");
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!char.IsAsciiHexDigit(value[i]))
            {
                var shown = value[i] is >= '!' and <= '~' ? $"'{value[i]}'" : $"U+{(int)value[i]:X4}";
                return new SignalValidationError(SignalValidationRule.ValueHex, "value",
                    $"{type} value must contain only hex digits 0-9 and a-f; found {shown} at position {i + 1}");
            }
        }

        return new SignalValidationError(SignalValidationRule.ValueLength, "value",
            $"{type} value must be {info.HexLength} hex characters; got {value.Length}{LengthHint(info, value.Length)}");
    }

    private static bool ContainsWhitespace(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsNonHexLetter(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (char.IsLetter(c) && !char.IsAsciiHexDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    // "got 32" for a SHA256 is usually an MD5 sent with the wrong type: say so.
    private static string LengthHint(SignalTypeInfo expected, int length)
    {
        var fits = new List<string>();
        foreach (var other in SignalRules.All)
        {
            if (other.IsSupported && other.HexLength == length && other.HexLength != expected.HexLength)
            {
                fits.Add(other.DisplayName);
            }
        }

        return fits.Count == 0 ? string.Empty : $" ({length} hex characters fits {string.Join(" or ", fits)}; check the type)";
    }
}
