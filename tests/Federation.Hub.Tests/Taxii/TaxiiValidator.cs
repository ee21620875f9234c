using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Federation.Hub.Tests.Taxii;

/// <summary>
/// Checks TAXII 2.1 resources and STIX 2.1 objects for the required properties and formats of the specifications
/// (TAXII 2.1 sections 4-5, STIX 2.1 sections 2-3, 4.6 identity, 4.7 indicator, 7.3 extension definition). Written
/// from the specifications, independently of the hub's writer; every failure names the object and the rule.
/// </summary>
public static partial class TaxiiValidator
{
    public const string TaxiiMediaType = "application/taxii+json;version=2.1";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[a-z0-9-]+$")]
    private static partial Regex TypePattern();

    private static readonly string[] ExtensionTypes = ["new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"];

    public static void MediaType(HttpResponseMessage response) =>
        Assert.Equal(TaxiiMediaType, response.Content.Headers.ContentType?.ToString().Replace(" ", "", StringComparison.Ordinal));

    public static DateTimeOffset Timestamp(JsonElement value, string what)
    {
        Assert.True(value.ValueKind == JsonValueKind.String, $"{what} must be a string timestamp");
        var text = value.GetString()!;
        Assert.True(TimestampPattern().IsMatch(text), $"{what} '{text}' is not a STIX/TAXII timestamp (RFC 3339, UTC, Z)");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    public static void Discovery(JsonElement d)
    {
        RequiredString(d, "title", "discovery");
        if (d.TryGetProperty("default", out var def))
        {
            Url(def, "discovery.default");
        }

        if (d.TryGetProperty("api_roots", out var roots))
        {
            foreach (var root in roots.EnumerateArray())
            {
                Url(root, "discovery.api_roots[]");
            }
        }
    }

    public static void ApiRoot(JsonElement r)
    {
        RequiredString(r, "title", "api-root");
        var versions = Required(r, "versions", "api-root");
        Assert.Contains(versions.EnumerateArray(), v => v.GetString()?.Replace(" ", "", StringComparison.Ordinal) == TaxiiMediaType);
        var max = Required(r, "max_content_length", "api-root");
        Assert.True(max.ValueKind == JsonValueKind.Number && max.GetInt64() >= 0, "api-root.max_content_length must be a non-negative integer");
    }

    public static void Collection(JsonElement c)
    {
        RequiredString(c, "id", "collection");
        RequiredString(c, "title", "collection");
        Assert.True(Required(c, "can_read", "collection").ValueKind is JsonValueKind.True or JsonValueKind.False, "collection.can_read must be boolean");
        Assert.True(Required(c, "can_write", "collection").ValueKind is JsonValueKind.True or JsonValueKind.False, "collection.can_write must be boolean");
        if (c.TryGetProperty("media_types", out var media))
        {
            Assert.All(media.EnumerateArray(), m => Assert.Equal(JsonValueKind.String, m.ValueKind));
        }
    }

    /// <summary>An envelope and every object in it.</summary>
    public static void Envelope(JsonElement e)
    {
        Assert.Equal(JsonValueKind.Object, e.ValueKind);
        if (e.TryGetProperty("more", out var more))
        {
            Assert.True(more.ValueKind is JsonValueKind.True or JsonValueKind.False, "envelope.more must be boolean");
        }

        if (e.TryGetProperty("next", out var next))
        {
            Assert.Equal(JsonValueKind.String, next.ValueKind);
        }

        if (e.TryGetProperty("objects", out var objects))
        {
            foreach (var o in objects.EnumerateArray())
            {
                StixObject(o);
            }
        }
    }

    public static void Manifest(JsonElement m)
    {
        if (m.TryGetProperty("objects", out var objects))
        {
            foreach (var o in objects.EnumerateArray())
            {
                Identifier(Required(o, "id", "manifest-record"), "manifest-record.id");
                Timestamp(Required(o, "date_added", "manifest-record"), "manifest-record.date_added");
                Timestamp(Required(o, "version", "manifest-record"), "manifest-record.version");
                RequiredString(o, "media_type", "manifest-record");
            }
        }
    }

    public static void Versions(JsonElement v)
    {
        if (v.TryGetProperty("versions", out var versions))
        {
            foreach (var version in versions.EnumerateArray())
            {
                Timestamp(version, "versions[]");
            }
        }
    }

    public static void Error(JsonElement e, int status)
    {
        RequiredString(e, "title", "error");
        if (e.TryGetProperty("http_status", out var http))
        {
            Assert.Equal(status.ToString(CultureInfo.InvariantCulture), http.GetString());
        }
    }

    /// <summary>The common properties of every STIX 2.1 object, then those of its type.</summary>
    public static void StixObject(JsonElement o)
    {
        var type = RequiredString(o, "type", "object");
        Assert.True(TypePattern().IsMatch(type) && type.Length is >= 3 and <= 250, $"type '{type}' is not a STIX type name");
        Assert.Equal("2.1", RequiredString(o, "spec_version", type));
        var id = Identifier(Required(o, "id", type), type + ".id");
        Assert.StartsWith(type + "--", id, StringComparison.Ordinal);
        var created = Timestamp(Required(o, "created", type), type + ".created");
        var modified = Timestamp(Required(o, "modified", type), type + ".modified");
        Assert.True(modified >= created, $"{id}: modified must not be before created");
        if (o.TryGetProperty("created_by_ref", out var createdBy))
        {
            Assert.StartsWith("identity--", Identifier(createdBy, id + ".created_by_ref"), StringComparison.Ordinal);
        }

        if (o.TryGetProperty("revoked", out var revoked))
        {
            Assert.True(revoked.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{id}.revoked must be boolean");
        }

        if (o.TryGetProperty("labels", out var labels))
        {
            Assert.True(labels.GetArrayLength() > 0, $"{id}.labels must not be empty when present");
            Assert.All(labels.EnumerateArray(), l => Assert.Equal(JsonValueKind.String, l.ValueKind));
        }

        if (o.TryGetProperty("confidence", out var confidence))
        {
            Assert.InRange(confidence.GetInt32(), 0, 100);
        }

        if (o.TryGetProperty("extensions", out var extensions))
        {
            foreach (var extension in extensions.EnumerateObject())
            {
                if (extension.Name.StartsWith("extension-definition--", StringComparison.Ordinal))
                {
                    Identifier(JsonDocument.Parse($"\"{extension.Name}\"").RootElement, id + ".extensions key");
                    Assert.Contains(RequiredString(extension.Value, "extension_type", id + ".extensions"), ExtensionTypes);
                }
            }
        }

        switch (type)
        {
            case "indicator":
                RequiredString(o, "pattern", id);
                RequiredString(o, "pattern_type", id);
                var from = Timestamp(Required(o, "valid_from", id), id + ".valid_from");
                if (o.TryGetProperty("valid_until", out var until))
                {
                    Assert.True(Timestamp(until, id + ".valid_until") > from, $"{id}: valid_until must be after valid_from");
                }

                break;
            case "identity":
                RequiredString(o, "name", id);
                break;
            case "extension-definition":
                RequiredString(o, "name", id);
                RequiredString(o, "schema", id);
                RequiredString(o, "version", id);
                Identifier(Required(o, "created_by_ref", id), id + ".created_by_ref");
                var types = Required(o, "extension_types", id);
                Assert.True(types.GetArrayLength() > 0, $"{id}.extension_types must not be empty");
                Assert.All(types.EnumerateArray(), t => Assert.Contains(t.GetString(), ExtensionTypes));
                break;
        }
    }

    private static string Identifier(JsonElement value, string what)
    {
        var text = value.GetString() ?? "";
        Assert.True(IdentifierPattern().IsMatch(text), $"{what} '{text}' is not a STIX identifier (type--UUID)");
        return text;
    }

    private static void Url(JsonElement value, string what) =>
        Assert.True(Uri.TryCreate(value.GetString(), UriKind.Absolute, out _), $"{what} must be an absolute URL");

    private static JsonElement Required(JsonElement o, string name, string what)
    {
        Assert.True(o.TryGetProperty(name, out var value), $"{what} lacks the required property '{name}'");
        return value;
    }

    private static string RequiredString(JsonElement o, string name, string what)
    {
        var value = Required(o, name, what);
        Assert.True(value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0, $"{what}.{name} must be a non-empty string");
        return value.GetString()!;
    }
}
