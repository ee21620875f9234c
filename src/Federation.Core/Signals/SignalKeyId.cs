using System.Diagnostics.CodeAnalysis;

namespace Federation.Core.Signals;

/// <summary>
/// The key id of a keyed signal (<see cref="SignalTypeInfo.IsKeyed"/>): the coalition's name for the HMAC key a value was
/// computed under, never the key itself. It is part of the signal's identity, so that during a key rotation the same
/// identifier under the old and the new key are two records and a look-up under one key id finds only values computed
/// under that key. <c>[a-z0-9][a-z0-9-]{0,31}</c>: short (it is stored in every record's key), and free of <c>:</c> and
/// <c>@</c>, which separate it from the value and the sharing group in signal and record ids.
/// </summary>
public static class SignalKeyId
{
    /// <summary>The longest key id.</summary>
    public const int MaxLength = 32;

    /// <summary>Whether <paramref name="keyId"/> is a well-formed key id.</summary>
    public static bool IsValid(ReadOnlySpan<char> keyId)
    {
        if (keyId.IsEmpty || keyId.Length > MaxLength || keyId[0] == '-')
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks the key id a submission, query or reference carries against its kind: required and well-formed for a keyed
    /// kind, absent for every other kind (a key id on a plain hash would silently make a second record of it).
    /// </summary>
    /// <param name="info">The item's kind.</param>
    /// <param name="keyId">The key id as sent; empty when the field is unset.</param>
    /// <param name="error">Why it is refused; null when it is accepted.</param>
    public static bool TryCheck(SignalTypeInfo info, ReadOnlySpan<char> keyId, [NotNullWhen(false)] out SignalValidationError? error)
    {
        ArgumentNullException.ThrowIfNull(info);
        error = null;
        if (!info.IsKeyed)
        {
            if (!keyId.IsEmpty)
            {
                error = new SignalValidationError(SignalValidationRule.KeyIdUnexpected, "key_id",
                    $"{info.DisplayName} is not a keyed type; leave key_id unset (key ids belong to the *_HMAC_SHA256 types only)");
            }
        }
        else if (keyId.IsEmpty)
        {
            error = new SignalValidationError(SignalValidationRule.KeyIdMissing, "key_id",
                $"{info.DisplayName} requires key_id: the id of the coalition key the HMAC was computed under (never the key itself)");
        }
        else if (!IsValid(keyId))
        {
            error = new SignalValidationError(SignalValidationRule.KeyIdFormat, "key_id",
                $"key_id must be 1-{MaxLength} characters of a-z, 0-9 and '-', starting with a letter or digit; got {keyId.Length} characters");
        }

        return error is null;
    }
}
