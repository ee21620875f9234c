namespace Federation.Core.Signals;

/// <summary>
/// Machine-readable names of the validation rules, carried in <see cref="SignalValidationError.Rule"/>.
/// Clients and dashboards may key on them, so they are part of the contract: add new ones, never rename.
/// The part before the dot names the offending field of the submission.
/// </summary>
public static class SignalValidationRule
{
    /// <summary>The type is <c>SIGNAL_TYPE_UNSPECIFIED</c>.</summary>
    public const string TypeUnspecified = "type.unspecified";

    /// <summary>The type number is not one this hub knows.</summary>
    public const string TypeUnknown = "type.unknown";

    /// <summary>The type is reserved but not accepted yet (video types).</summary>
    public const string TypeUnsupported = "type.unsupported";

    /// <summary>The value is missing, empty or only whitespace.</summary>
    public const string ValueEmpty = "value.empty";

    /// <summary>The value has the wrong number of hex characters for its type.</summary>
    public const string ValueLength = "value.length";

    /// <summary>The value contains a character that is not a hex digit (and does not look like plaintext).</summary>
    public const string ValueHex = "value.hex";

    /// <summary>The value looks like plaintext (a URL, an e-mail address, words) where a hash is required.</summary>
    public const string ValuePlaintext = "value.plaintext";

    /// <summary>A keyed (<c>*_HMAC_SHA256</c>) item carries no key id.</summary>
    public const string KeyIdMissing = "key_id.missing";

    /// <summary>A key id is not <c>[a-z0-9][a-z0-9-]{0,31}</c>.</summary>
    public const string KeyIdFormat = "key_id.format";

    /// <summary>An item of a type that is not keyed carries a key id.</summary>
    public const string KeyIdUnexpected = "key_id.unexpected";

    /// <summary>A PDQ submission carries no quality.</summary>
    public const string QualityMissing = "quality.missing";

    /// <summary>A PDQ quality is above 100.</summary>
    public const string QualityRange = "quality.range";

    /// <summary>A PDQ quality is below the hub's configured minimum.</summary>
    public const string QualityTooLow = "quality.too_low";

    /// <summary>The submission carries no category.</summary>
    public const string CategoriesEmpty = "categories.empty";

    /// <summary>A category is unspecified or not known to this hub.</summary>
    public const string CategoriesUnknown = "categories.unknown";

    /// <summary>The batch holds more items than <see cref="SubmissionBatchRules.MaxBatchSize"/>.</summary>
    public const string BatchSize = "batch.size";

    /// <summary>The same signal appears earlier in the same batch.</summary>
    public const string BatchDuplicate = "batch.duplicate";
}
