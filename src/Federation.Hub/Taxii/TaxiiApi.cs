using System.Text.Json;
using Federation.Hub.Auth;
using Federation.Hub.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Taxii;

/// <summary>
/// The TAXII 2.1 endpoints (read-only): discovery, the API root, collections, objects, one object, its versions, the
/// manifest. Thin: parse the request, page the catalog, read the records from Redis, write STIX. Which collections a
/// caller sees follows <see cref="SignalRecord.IsVisibleTo"/> and the caller's sharing groups, as for gRPC look-ups and
/// the feed; a collection the caller may not read answers 404 exactly like one that does not exist.
/// </summary>
public sealed class TaxiiApi(TaxiiCatalog catalog, FeedLog feed, SignalStore store, IOptions<FederationOptions> options, TimeProvider clock)
{
    /// <summary>Path of the discovery endpoint.</summary>
    public const string DiscoveryPath = "/taxii2/";

    /// <summary>Path of the one API root.</summary>
    public const string ApiRootPath = "/taxii2/api/";

    private readonly TaxiiOptions taxii = options.Value.Taxii;

    public Task DiscoveryAsync(HttpContext http) => WriteAsync(http, json =>
    {
        var root = $"{http.Request.Scheme}://{http.Request.Host}{ApiRootPath}";
        json.WriteStartObject();
        json.WriteString("title", taxii.CoalitionName);
        json.WriteString("description", "Hashed signals against online child sexual exploitation and abuse shared by the coalition's members, as STIX 2.1 indicators (read-only).");
        json.WriteString("default", root);
        json.WriteStartArray("api_roots");
        json.WriteStringValue(root);
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public Task ApiRootAsync(HttpContext http) => WriteAsync(http, json =>
    {
        json.WriteStartObject();
        json.WriteString("title", taxii.CoalitionName + " signals");
        json.WriteString("description", "One collection of coalition-wide signals and one per sharing group the caller belongs to.");
        json.WriteStartArray("versions");
        json.WriteStringValue(TaxiiMediaTypes.Taxii);
        json.WriteEndArray();
        // Read-only: the server accepts no request content.
        json.WriteNumber("max_content_length", 0);
        json.WriteEndObject();
    });

    public Task CollectionsAsync(HttpContext http) => WriteAsync(http, json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("collections");
        foreach (var collection in TaxiiCollection.VisibleTo(Caller(http).Member.Groups))
        {
            WriteCollection(json, collection);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    public Task CollectionAsync(HttpContext http, string collectionId)
    {
        var collection = Resolve(http, collectionId);
        return WriteAsync(http, json => WriteCollection(json, collection));
    }

    public async Task ObjectsAsync(HttpContext http, string collectionId)
    {
        var collection = Resolve(http, collectionId);
        var query = TaxiiQuery.Parse(http.Request.Query, taxii);
        var (items, more, next) = await ReadPageAsync(http, collection, query, only: null).ConfigureAwait(false);
        await WriteEnvelopeAsync(http, items, more, next).ConfigureAwait(false);
    }

    public async Task ObjectAsync(HttpContext http, string collectionId, string objectId)
    {
        var collection = Resolve(http, collectionId);
        var query = TaxiiQuery.Parse(http.Request.Query, taxii);
        var (items, more, next) = await ReadPageAsync(http, collection, query, only: FindObject(collection, objectId)).ConfigureAwait(false);
        await WriteEnvelopeAsync(http, items, more, next).ConfigureAwait(false);
    }

    public async Task VersionsAsync(HttpContext http, string collectionId, string objectId)
    {
        var collection = Resolve(http, collectionId);
        var query = TaxiiQuery.Parse(http.Request.Query, taxii);
        var (items, _, _) = await ReadPageAsync(http, collection, query, only: FindObject(collection, objectId)).ConfigureAwait(false);
        // The hub keeps each record's current version only (a deduplicated record, not a history).
        SetDateHeaders(http, items);
        await WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("more", false);
            if (items.Count > 0)
            {
                json.WriteStartArray("versions");
                foreach (var item in items)
                {
                    json.WriteStringValue(StixWriter.Timestamp(item.Modified));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task ManifestAsync(HttpContext http, string collectionId)
    {
        var collection = Resolve(http, collectionId);
        var query = TaxiiQuery.Parse(http.Request.Query, taxii);
        var (items, more, next) = await ReadPageAsync(http, collection, query, only: null).ConfigureAwait(false);
        SetDateHeaders(http, items);
        await WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("more", more);
            if (next is not null)
            {
                json.WriteString("next", next);
            }

            if (items.Count > 0)
            {
                json.WriteStartArray("objects");
                foreach (var item in items)
                {
                    json.WriteStartObject();
                    json.WriteString("id", StixId(item.Entry));
                    json.WriteString("date_added", StixWriter.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(item.Entry.DateAdded)));
                    json.WriteString("version", StixWriter.Timestamp(item.Modified));
                    json.WriteString("media_type", TaxiiMediaTypes.Stix);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The STIX id of a catalog entry.</summary>
    public static string StixId(CatalogEntry entry) =>
        entry == TaxiiCatalog.Identity ? StixIds.CoalitionIdentity
        : entry == TaxiiCatalog.Extension ? StixIds.SignalExtension
        : "indicator--" + entry.Id.ToString("D");

    private static string StixType(CatalogEntry entry) =>
        entry == TaxiiCatalog.Identity ? "identity" : entry == TaxiiCatalog.Extension ? "extension-definition" : "indicator";

    private static Caller Caller(HttpContext http) =>
        http.Features.Get<Caller>() ?? throw new InvalidOperationException("TAXII endpoint without TaxiiAccessFilter.");

    // Unknown and not-readable collections answer alike, so a caller learns nothing about groups it is not in.
    private static TaxiiCollection Resolve(HttpContext http, string collectionId) =>
        TaxiiCollection.VisibleTo(Caller(http).Member.Groups).FirstOrDefault(c => string.Equals(c.Id, collectionId, StringComparison.OrdinalIgnoreCase))
        ?? throw new TaxiiException(StatusCodes.Status404NotFound, "Collection not found",
            $"No collection '{collectionId}' is visible to this member; GET {ApiRootPath}collections/ lists the readable ones.");

    private CatalogEntry FindObject(TaxiiCollection collection, string objectId)
    {
        var dash = objectId.IndexOf("--", StringComparison.Ordinal);
        if (dash > 0 && Guid.TryParseExact(objectId.AsSpan(dash + 2), "D", out var guid) &&
            catalog.Find(collection.Group, guid) is { } entry && string.Equals(StixId(entry), objectId, StringComparison.Ordinal))
        {
            return entry;
        }

        throw new TaxiiException(StatusCodes.Status404NotFound, "Object not found", $"No object '{objectId}' in collection '{collection.Id}'.");
    }

    private async Task<(List<PageItem> Items, bool More, string? Next)> ReadPageAsync(HttpContext http, TaxiiCollection collection, TaxiiQuery query, CatalogEntry? only)
    {
        // Everything Redis holds now must be in this replica's catalog before the page is cut (another replica may have
        // served the previous page), and nothing newer than the settle horizon is served (docs/taxii.md, "Paging").
        var heads = await feed.ReadHeadsAsync(store.PartitionCount).ConfigureAwait(false);
        await catalog.WaitForAsync(heads, taxii.CatchUpWait, http.RequestAborted).ConfigureAwait(false);
        var horizon = (clock.GetUtcNow() - taxii.SettleDelay).ToUnixTimeMilliseconds();
        if (!query.SpecVersionMatches)
        {
            return ([], false, null);
        }

        IReadOnlySet<Guid>? ids = query.IdGuids;
        if (only is not null)
        {
            if (query.Ids is not null && !query.Ids.Contains(StixId(only)))
            {
                return ([], false, null);
            }

            ids = new HashSet<Guid> { only.Id };
        }

        var page = catalog.Page(
            collection.Group,
            query.After,
            horizon,
            query.Limit,
            definitions: e => query.WantsType(StixType(e)) && (query.Ids is null || query.Ids.Contains(StixId(e))),
            records: query.WantsType("indicator"),
            ids);

        var records = await ReadRecordsAsync(page.Entries).ConfigureAwait(false);
        var caller = Caller(http);
        var items = new List<PageItem>(page.Entries.Count);
        for (var i = 0; i < page.Entries.Count; i++)
        {
            var entry = page.Entries[i];
            var record = records[i];
            DateTimeOffset modified;
            if (entry.IsDefinition)
            {
                modified = TaxiiCatalog.DefinitionsDate;
            }
            else if (record is null)
            {
                catalog.Forget(entry); // purged tombstone
                continue;
            }
            else if (record.Version != entry.Version || !record.IsVisibleTo(caller.Member.Groups) || record.Quarantined ||
                (query.Ids is not null && !query.Ids.Contains(StixId(entry))))
            {
                // Changed since the catalog placed it: the new version sorts later and is served there, once. A quarantined
                // record is withheld (docs/governance.md); its release is a new version, served then.
                continue;
            }
            else
            {
                modified = StixWriter.Modified(record, entry);
            }

            if (query.Versions is not null && !query.Versions.Contains(modified.ToUnixTimeMilliseconds()))
            {
                continue;
            }

            items.Add(new PageItem(entry, record, modified));
        }

        var next = page.More && page.Entries.Count > 0 ? page.Entries[^1].Position.ToToken() : null;
        return (items, page.More, next);
    }

    // Definitions have no record; every other entry's record, read with one call per partition (SignalStore.GetManyAsync).
    private async Task<SignalRecord?[]> ReadRecordsAsync(IReadOnlyList<CatalogEntry> entries)
    {
        var stored = Enumerable.Range(0, entries.Count).Where(i => !entries[i].IsDefinition).ToArray();
        var records = await store.GetManyAsync(stored.Select(i => (entries[i].Partition, entries[i].StorageKey)).ToArray()).ConfigureAwait(false);
        var result = new SignalRecord?[entries.Count];
        for (var j = 0; j < stored.Length; j++)
        {
            result[stored[j]] = records[j];
        }

        return result;
    }

    private Task WriteEnvelopeAsync(HttpContext http, List<PageItem> items, bool more, string? next)
    {
        SetDateHeaders(http, items);
        return WriteAsync(http, json =>
        {
            json.WriteStartObject();
            json.WriteBoolean("more", more);
            if (next is not null)
            {
                json.WriteString("next", next);
            }

            if (items.Count > 0)
            {
                json.WriteStartArray("objects");
                foreach (var item in items)
                {
                    if (item.Entry == TaxiiCatalog.Identity)
                    {
                        StixWriter.WriteIdentity(json, taxii.CoalitionName);
                    }
                    else if (item.Entry == TaxiiCatalog.Extension)
                    {
                        StixWriter.WriteExtensionDefinition(json);
                    }
                    else
                    {
                        StixWriter.WriteIndicator(json, item.Record!, item.Entry);
                    }
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
    }

    private static void SetDateHeaders(HttpContext http, List<PageItem> items)
    {
        if (items.Count > 0)
        {
            http.Response.Headers["X-TAXII-Date-Added-First"] = StixWriter.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(items[0].Entry.DateAdded));
            http.Response.Headers["X-TAXII-Date-Added-Last"] = StixWriter.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(items[^1].Entry.DateAdded));
        }
    }

    private static void WriteCollection(Utf8JsonWriter json, TaxiiCollection collection)
    {
        json.WriteStartObject();
        json.WriteString("id", collection.Id);
        json.WriteString("title", collection.Title);
        json.WriteString("description", collection.Group.Length == 0
            ? "Signals shared with the whole coalition."
            : $"Signals shared only within sharing group {collection.Group}.");
        json.WriteString("alias", collection.Alias);
        json.WriteBoolean("can_read", true);
        json.WriteBoolean("can_write", false);
        json.WriteStartArray("media_types");
        json.WriteStringValue(TaxiiMediaTypes.Stix);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext http, Action<Utf8JsonWriter> write)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = TaxiiMediaTypes.Taxii;
        using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            write(json);
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }

    private sealed record PageItem(CatalogEntry Entry, SignalRecord? Record, DateTimeOffset Modified);
}
