using System.Globalization;
using System.Text.Json;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Hub.Storage;

namespace Federation.Hub.Taxii;

/// <summary>
/// Writes the STIX 2.1 objects the hub serves (docs/taxii.md, "STIX content"): each signal record as an
/// <c>indicator</c>, the coalition's <c>identity</c> and the extension definition that carries what STIX has no
/// standard property for (PDQ and the hashed URL, account, text and payment identifiers; record metadata).
/// </summary>
public static class StixWriter
{
    /// <summary>The STIX version of every object.</summary>
    public const string SpecVersion = "2.1";

    /// <summary>Version of the extension definition's schema (docs/taxii.md).</summary>
    public const string ExtensionVersion = "1.1.0";

    private const int TimestampLength = 24;

    private static readonly string?[] Labels = BuildLabels();

    // After the fields BuildPatternPath reads (none) and before any use: index = SignalKind, 0 unused.
    private static readonly string[] PatternPaths = Enumerable.Range(0, SignalRules.All.Max(t => (int)t.Kind) + 1)
        .Select(k => k == 0 ? "" : BuildPatternPath((SignalKind)k)).ToArray();

    // The key id of a keyed value, compared beside the value on the same object (docs/taxii.md): an HMAC is only
    // meaningful under its key, and the pair is the record's identity.
    private static readonly string[] KeyIdPaths = Enumerable.Range(0, PatternPaths.Length)
        .Select(k => SignalRules.TryGet((SignalKind)k, out var info) && info.IsKeyed ? PatternPaths[k].Split(':')[0] + ":" + ExtensionPath("hmac_key_id") : "")
        .ToArray();

    /// <summary>The object path and property a pattern compares for each signal kind.</summary>
    public static string PatternPath(SignalKind kind) =>
        (int)kind > 0 && (int)kind < PatternPaths.Length ? PatternPaths[(int)kind] : BuildPatternPath(kind);

    private static string BuildPatternPath(SignalKind kind) => kind switch
    {
        SignalKind.Md5 => "file:hashes.'MD5'",
        SignalKind.Sha1 => "file:hashes.'SHA-1'",
        SignalKind.Sha256 => "file:hashes.'SHA-256'",
        SignalKind.Pdq => Extension("file", "pdq"),
        SignalKind.VideoMd5 => Extension("file", "video_md5"),
        SignalKind.Vpdq => Extension("file", "vpdq"),
        SignalKind.UrlSha256 => Extension("url", "url_sha256"),
        SignalKind.AccountSha256 => Extension("user-account", "account_sha256"),
        SignalKind.TextSha256 => Extension("artifact", "text_sha256"),
        SignalKind.PaymentSha256 => Extension("user-account", "payment_sha256"),
        SignalKind.UrlHmacSha256 => Extension("url", "url_hmac_sha256"),
        SignalKind.AccountHmacSha256 => Extension("user-account", "account_hmac_sha256"),
        SignalKind.TextHmacSha256 => Extension("artifact", "text_hmac_sha256"),
        SignalKind.PaymentHmacSha256 => Extension("user-account", "payment_hmac_sha256"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No STIX mapping for this signal kind."),
    };

    /// <summary>The STIX timestamp form: UTC, millisecond precision, <c>Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time)
    {
        Span<byte> utf8 = stackalloc byte[TimestampLength];
        WriteTimestamp(time, utf8);
        return System.Text.Encoding.ASCII.GetString(utf8);
    }

    // yyyy-MM-ddTHH:mm:ss.fffZ as ASCII, without the cost of a custom format string on the paging path.
    private static void WriteTimestamp(DateTimeOffset time, Span<byte> utf8)
    {
        var t = time.UtcDateTime;
        Digits(utf8[..4], t.Year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), t.Month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), t.Day);
        utf8[10] = (byte)'T';
        Digits(utf8.Slice(11, 2), t.Hour);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), t.Minute);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), t.Second);
        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 3), t.Millisecond);
        utf8[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>
    /// The <c>modified</c> time (and TAXII version) of a record's current version: when it was added, never before
    /// <c>created</c> (first seen comes from a replica's clock, the date added from Redis').
    /// </summary>
    public static DateTimeOffset Modified(SignalRecord record, CatalogEntry entry)
    {
        var added = DateTimeOffset.FromUnixTimeMilliseconds(entry.DateAdded);
        return added > record.FirstSeen ? added : record.FirstSeen;
    }

    /// <summary>Writes the indicator of <paramref name="record"/>, whose catalog entry is <paramref name="entry"/>.</summary>
    /// <remarks>The hot path of paging (docs/taxii.md, "Throughput"): pre-encoded names, timestamps formatted into stack buffers.</remarks>
    public static void WriteIndicator(Utf8JsonWriter json, SignalRecord record, CatalogEntry entry)
    {
        var info = SignalRules.Get(record.Signal.Kind);
        var hex = record.Signal.ToHex();
        Span<byte> created = stackalloc byte[TimestampLength];
        Span<byte> stamp = stackalloc byte[TimestampLength];
        Span<char> id = stackalloc char[36];
        WriteTimestamp(record.FirstSeen, created);
        json.WriteStartObject();
        json.WriteString(Names.Type, Names.Indicator);
        json.WriteString(Names.SpecVersion, Names.V21);
        entry.Id.TryFormat(id, out _, "D");
        json.WriteString(Names.Id, string.Concat("indicator--", id));
        json.WriteString(Names.CreatedByRef, Names.Coalition);
        json.WriteString(Names.Created, created);
        WriteTimestamp(Modified(record, entry), stamp);
        json.WriteString(Names.ModifiedName, stamp);
        json.WriteString(Names.Name, string.Concat(info.DisplayName, " signal"));
        json.WriteStartArray(Names.IndicatorTypes);
        json.WriteStringValue(Names.MaliciousActivity);
        json.WriteEndArray();
        json.WriteString(Names.Pattern, Pattern(record.Signal, hex));
        json.WriteString(Names.PatternType, Names.Stix);
        json.WriteString(Names.PatternVersion, Names.V21);
        json.WriteString(Names.ValidFrom, created);
        if (record.ExpiresAt is { } expires && expires > record.FirstSeen)
        {
            WriteTimestamp(expires, stamp);
            json.WriteString(Names.ValidUntil, stamp);
        }

        if (record.State is SignalState.Retracted or SignalState.Overturned)
        {
            json.WriteBoolean(Names.Revoked, true);
        }

        // STIX's own confidence (0-100) and TLP 2.0 marking: the record's highest stated confidence and least
        // restrictive level (docs/decisions.md), so a TAXII consumer filters and handles them like any STIX feed's.
        if (record.Confidence is { } confidence)
        {
            json.WriteNumber(Names.Confidence, confidence);
        }

        if (StixIds.TlpMarking(ContributionLabels.Effective(record.ShareLevel)) is { } marking)
        {
            json.WriteStartArray(Names.ObjectMarkingRefs);
            json.WriteStringValue(marking);
            json.WriteEndArray();
        }

        if (!record.Categories.IsEmpty)
        {
            json.WriteStartArray(Names.Labels);
            foreach (var category in record.Categories)
            {
                json.WriteStringValue(Label(category));
            }

            json.WriteEndArray();
        }

        json.WriteStartObject(Names.Extensions);
        json.WriteStartObject(Names.Extension);
        json.WriteString(Names.ExtensionType, Names.PropertyExtension);
        json.WriteString(Names.RecordId, SignalRecordId.Of(record.Signal.Id, record.SharingGroup));
        json.WriteString(Names.SignalType, info.Name);
        json.WriteString(Names.Value, hex);
        if (info.IsKeyed)
        {
            json.WriteString(Names.KeyId, record.Signal.KeyId);
        }
        json.WriteString(Names.Status, record.State switch
        {
            SignalState.Active => Names.Active,
            SignalState.Retracted => Names.Retracted,
            SignalState.Overturned => Names.Overturned,
            _ => Names.Expired,
        });
        json.WriteNumber(Names.Version, record.Version);
        json.WriteNumber(Names.CorroborationCount, record.CorroborationCount);
        json.WriteStartObject(Names.Opinions);
        json.WriteNumber(Names.Confirmed, record.Confirmed);
        json.WriteNumber(Names.Disputed, record.Disputed);
        json.WriteNumber(Names.FalsePositive, record.FalsePositive);
        json.WriteEndObject();
        if (record.Signal.Kind == SignalKind.Pdq && record.Quality > 0)
        {
            json.WriteNumber(Names.PdqQuality, record.Quality);
        }

        if (record.SharingGroup.Length > 0)
        {
            json.WriteString(Names.SharingGroup, record.SharingGroup);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Writes the coalition's identity.</summary>
    public static void WriteIdentity(Utf8JsonWriter json, string coalitionName)
    {
        var date = Timestamp(TaxiiCatalog.DefinitionsDate);
        json.WriteStartObject();
        json.WriteString("type", "identity");
        json.WriteString("spec_version", SpecVersion);
        json.WriteString("id", StixIds.CoalitionIdentity);
        json.WriteString("created", date);
        json.WriteString("modified", date);
        json.WriteString("name", coalitionName);
        json.WriteString("identity_class", "organization");
        json.WriteEndObject();
    }

    /// <summary>Writes the extension definition of Federation signals.</summary>
    public static void WriteExtensionDefinition(Utf8JsonWriter json)
    {
        var date = Timestamp(TaxiiCatalog.DefinitionsDate);
        json.WriteStartObject();
        json.WriteString("type", "extension-definition");
        json.WriteString("spec_version", SpecVersion);
        json.WriteString("id", StixIds.SignalExtension);
        json.WriteString("created_by_ref", StixIds.CoalitionIdentity);
        json.WriteString("created", date);
        json.WriteString("modified", date);
        json.WriteString("name", "Federation signal");
        json.WriteString("description",
            "Hashed CSEA signals shared through a Federation hub. On indicators: the record's metadata (record_id, signal_type, value, " +
            "status, version, corroboration_count, opinions, pdq_quality, sharing_group). On file, url, user-account and artifact objects in " +
            "patterns: the hashes STIX has no hash-algorithm-ov entry for: pdq, video_md5 and vpdq (file), url_sha256 (url), account_sha256 " +
            "and payment_sha256 (user-account), text_sha256 (artifact), each lowercase hex; their keyed twins url_hmac_sha256, " +
            "account_hmac_sha256, payment_hmac_sha256 and text_hmac_sha256 (HMAC-SHA256 under a coalition key), each with hmac_key_id, " +
            "the key's id, on the same object; key_id on indicators of keyed types.");
        json.WriteString("schema",
            "Plain-text schema, normative: docs/taxii.md of the Federation hub, section 'Extension definition'. Every property is optional; " +
            "hash properties are lowercase hexadecimal strings (pdq 64 characters, the *_sha256 64, video_md5 32); counts are non-negative integers; " +
            "status is one of active, retracted, expired.");
        json.WriteString("version", ExtensionVersion);
        json.WriteStartArray("extension_types");
        json.WriteStringValue("property-extension");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The STIX label of a category: its proto name in lowercase (<c>csam</c>, <c>csam_generated</c>, …).</summary>
    public static string Label(SignalCategory category) =>
        (int)category >= 0 && (int)category < Labels.Length && Labels[(int)category] is { } label
            ? label
            : ((int)category).ToString(CultureInfo.InvariantCulture);

    private static string Extension(string objectType, string property) => objectType + ":" + ExtensionPath(property);

    private static string ExtensionPath(string property) => "extensions.'" + StixIds.SignalExtension + "'." + property;

    /// <summary>
    /// The indicator's STIX pattern: <c>[&lt;path&gt; = '&lt;hex&gt;']</c>, and for a keyed kind
    /// <c>[&lt;path&gt; = '&lt;hex&gt;' AND &lt;object&gt;:extensions.'…'.hmac_key_id = '&lt;key id&gt;']</c>.
    /// </summary>
    public static string Pattern(in NormalizedSignal signal, string hex)
    {
        var kind = (int)signal.Kind;
        return kind < KeyIdPaths.Length && KeyIdPaths[kind].Length > 0
            ? string.Concat("[", PatternPaths[kind], " = '", hex, "' AND ", KeyIdPaths[kind], " = '", signal.KeyId, "']")
            : string.Concat("[", PatternPath(signal.Kind), " = '", hex, "']");
    }

    private static string?[] BuildLabels()
    {
        var labels = new string?[CategorySet.MaxCategoryValue + 1];
        foreach (var category in Enum.GetValues<SignalCategory>())
        {
            // PascalCase enum name to the proto's snake case: CsamGenerated → csam_generated.
            var name = category.ToString();
            var text = new System.Text.StringBuilder(name.Length + 4);
            for (var i = 0; i < name.Length; i++)
            {
                if (i > 0 && char.IsUpper(name[i]))
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(name[i]));
            }

            labels[(int)category] = text.ToString();
        }

        return labels;
    }

    // Property names and constant values encoded once.
    private static class Names
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Confidence = JsonEncodedText.Encode("confidence");
        public static readonly JsonEncodedText ObjectMarkingRefs = JsonEncodedText.Encode("object_marking_refs");
        public static readonly JsonEncodedText Indicator = JsonEncodedText.Encode("indicator");
        public static readonly JsonEncodedText SpecVersion = JsonEncodedText.Encode("spec_version");
        public static readonly JsonEncodedText V21 = JsonEncodedText.Encode(StixWriter.SpecVersion);
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText CreatedByRef = JsonEncodedText.Encode("created_by_ref");
        public static readonly JsonEncodedText Coalition = JsonEncodedText.Encode(StixIds.CoalitionIdentity);
        public static readonly JsonEncodedText Created = JsonEncodedText.Encode("created");
        public static readonly JsonEncodedText ModifiedName = JsonEncodedText.Encode("modified");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText IndicatorTypes = JsonEncodedText.Encode("indicator_types");
        public static readonly JsonEncodedText MaliciousActivity = JsonEncodedText.Encode("malicious-activity");
        public static readonly JsonEncodedText Pattern = JsonEncodedText.Encode("pattern");
        public static readonly JsonEncodedText PatternType = JsonEncodedText.Encode("pattern_type");
        public static readonly JsonEncodedText Stix = JsonEncodedText.Encode("stix");
        public static readonly JsonEncodedText PatternVersion = JsonEncodedText.Encode("pattern_version");
        public static readonly JsonEncodedText ValidFrom = JsonEncodedText.Encode("valid_from");
        public static readonly JsonEncodedText ValidUntil = JsonEncodedText.Encode("valid_until");
        public static readonly JsonEncodedText Revoked = JsonEncodedText.Encode("revoked");
        public static readonly JsonEncodedText Labels = JsonEncodedText.Encode("labels");
        public static readonly JsonEncodedText Extensions = JsonEncodedText.Encode("extensions");
        public static readonly JsonEncodedText Extension = JsonEncodedText.Encode(StixIds.SignalExtension);
        public static readonly JsonEncodedText ExtensionType = JsonEncodedText.Encode("extension_type");
        public static readonly JsonEncodedText PropertyExtension = JsonEncodedText.Encode("property-extension");
        public static readonly JsonEncodedText RecordId = JsonEncodedText.Encode("record_id");
        public static readonly JsonEncodedText SignalType = JsonEncodedText.Encode("signal_type");
        public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
        public static readonly JsonEncodedText KeyId = JsonEncodedText.Encode("key_id");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText Active = JsonEncodedText.Encode("active");
        public static readonly JsonEncodedText Retracted = JsonEncodedText.Encode("retracted");
        public static readonly JsonEncodedText Expired = JsonEncodedText.Encode("expired");
        public static readonly JsonEncodedText Overturned = JsonEncodedText.Encode("overturned");
        public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
        public static readonly JsonEncodedText CorroborationCount = JsonEncodedText.Encode("corroboration_count");
        public static readonly JsonEncodedText Opinions = JsonEncodedText.Encode("opinions");
        public static readonly JsonEncodedText Confirmed = JsonEncodedText.Encode("confirmed");
        public static readonly JsonEncodedText Disputed = JsonEncodedText.Encode("disputed");
        public static readonly JsonEncodedText FalsePositive = JsonEncodedText.Encode("false_positive");
        public static readonly JsonEncodedText PdqQuality = JsonEncodedText.Encode("pdq_quality");
        public static readonly JsonEncodedText SharingGroup = JsonEncodedText.Encode("sharing_group");
    }
}
