using Federation.Contracts.V1;

namespace Federation.Client.Hashing;

/// <summary>
/// One keyed signal value: a <c>*_HMAC_SHA256</c> type, the id of the key it was computed under, and the lowercase hex
/// HMAC. Turn it into what a call needs with <see cref="ToSubmission"/>, <see cref="ToLookupQuery"/> or <see cref="ToSignalRef"/>.
/// </summary>
/// <param name="Type">The keyed signal type.</param>
/// <param name="KeyId">The key id, sent as <c>key_id</c>.</param>
/// <param name="Value">The HMAC-SHA256, 64 lowercase hex characters.</param>
public sealed record KeyedValue(SignalType Type, string KeyId, string Value)
{
    /// <summary>The signal id the hub gives this value: <c>&lt;type&gt;:&lt;key id&gt;:&lt;hex&gt;</c>, e.g. <c>account_hmac_sha256:k1:5f3c…</c>.</summary>
    public string SignalId => $"{KeyedHashing.TypeName(Type)}:{KeyId}:{Value}";

    /// <summary>A submission of this value with <paramref name="categories"/>; set further fields on the result as needed.</summary>
    public SignalSubmission ToSubmission(params Category[] categories)
    {
        var submission = new SignalSubmission { Type = Type, KeyId = KeyId, Value = Value };
        submission.Categories.Add(categories);
        return submission;
    }

    /// <summary>An exact look-up of this value under its key id.</summary>
    public LookupQuery ToLookupQuery() => new() { Type = Type, KeyId = KeyId, Value = Value };

    /// <summary>A reference to this value, for opinions, retraction and the known-benign list.</summary>
    public SignalRef ToSignalRef() => new() { Type = Type, KeyId = KeyId, Value = Value };
}
