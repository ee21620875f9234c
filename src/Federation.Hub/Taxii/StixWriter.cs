using System.Globalization;
using System.Text.Json;
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
    public const string ExtensionVersion = "1.0.0";

    private static readonly string?[] Labels = BuildLabels();

    /// <summary>The object path and property a pattern compares for each signal kind.</summary>
    public static string PatternPath(SignalKind kind) => kind switch
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
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No STIX mapping for this signal kind."),
    };

    /// <summary>The STIX timestamp form: UTC, millisecond precision, <c>Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

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
    public static void WriteIndicator(Utf8JsonWriter json, SignalRecord record, CatalogEntry entry)
    {
        var info = SignalRules.Get(record.Signal.Kind);
        var hex = record.Signal.ToHex();
        json.WriteStartObject();
        json.WriteString("type", "indicator");
        json.WriteString("spec_version", SpecVersion);
        json.WriteString("id", "indicator--" + entry.Id.ToString("D"));
        json.WriteString("created_by_ref", StixIds.CoalitionIdentity);
        json.WriteString("created", Timestamp(record.FirstSeen));
        json.WriteString("modified", Timestamp(Modified(record, entry)));
        json.WriteString("name", info.DisplayName + " signal");
        json.WriteStartArray("indicator_types");
        json.WriteStringValue("malicious-activity");
        json.WriteEndArray();
        json.WriteString("pattern", "[" + PatternPath(record.Signal.Kind) + " = '" + hex + "']");
        json.WriteString("pattern_type", "stix");
        json.WriteString("pattern_version", SpecVersion);
        json.WriteString("valid_from", Timestamp(record.FirstSeen));
        if (record.ExpiresAt is { } expires && expires > record.FirstSeen)
        {
            json.WriteString("valid_until", Timestamp(expires));
        }

        if (record.State == SignalState.Retracted)
        {
            json.WriteBoolean("revoked", true);
        }

        if (!record.Categories.IsEmpty)
        {
            json.WriteStartArray("labels");
            foreach (var category in record.Categories)
            {
                json.WriteStringValue(Label(category));
            }

            json.WriteEndArray();
        }

        json.WriteStartObject("extensions");
        json.WriteStartObject(StixIds.SignalExtension);
        json.WriteString("extension_type", "property-extension");
        json.WriteString("record_id", SignalRecordId.Of(record.Signal.Id, record.SharingGroup));
        json.WriteString("signal_type", info.Name);
        json.WriteString("value", hex);
        json.WriteString("status", record.State switch
        {
            SignalState.Active => "active",
            SignalState.Retracted => "retracted",
            _ => "expired",
        });
        json.WriteNumber("version", record.Version);
        json.WriteNumber("corroboration_count", record.CorroborationCount);
        json.WriteStartObject("opinions");
        json.WriteNumber("confirmed", record.Confirmed);
        json.WriteNumber("disputed", record.Disputed);
        json.WriteNumber("false_positive", record.FalsePositive);
        json.WriteEndObject();
        if (record.Signal.Kind == SignalKind.Pdq && record.Quality > 0)
        {
            json.WriteNumber("pdq_quality", record.Quality);
        }

        if (record.SharingGroup.Length > 0)
        {
            json.WriteString("sharing_group", record.SharingGroup);
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
            "and payment_sha256 (user-account), text_sha256 (artifact), each lowercase hex.");
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

    private static string Extension(string objectType, string property) =>
        objectType + ":extensions.'" + StixIds.SignalExtension + "'." + property;

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
}
