using System.Globalization;
using Federation.Hub.Options;

namespace Federation.Hub.Taxii;

/// <summary>
/// The filtering and paging parameters of an objects, object, versions or manifest request (TAXII 2.1 section 3.4):
/// <c>added_after</c>, <c>limit</c>, <c>next</c>, <c>match[id]</c>, <c>match[type]</c>, <c>match[version]</c>,
/// <c>match[spec_version]</c>. A malformed value is a 400 naming the parameter.
/// </summary>
public sealed class TaxiiQuery
{
    private static readonly string[] Known = ["added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"];

    /// <summary>Where the page starts (exclusive): the later of <c>added_after</c> and <c>next</c>.</summary>
    public CatalogPosition After { get; private init; } = CatalogPosition.Start;

    /// <summary>Most objects to return.</summary>
    public int Limit { get; private init; }

    /// <summary>Object types asked for; null = all.</summary>
    public IReadOnlySet<string>? Types { get; private init; }

    /// <summary>STIX ids asked for; null = all.</summary>
    public IReadOnlySet<string>? Ids { get; private init; }

    /// <summary>UUIDs of <see cref="Ids"/>.</summary>
    public IReadOnlySet<Guid>? IdGuids { get; private init; }

    /// <summary>
    /// Versions (<c>modified</c>, Unix ms) asked for; null = any. The hub keeps one version per record, so
    /// <c>first</c>, <c>last</c> and <c>all</c> all select it.
    /// </summary>
    public IReadOnlySet<long>? Versions { get; private init; }

    /// <summary>False when <c>match[spec_version]</c> names only versions other than 2.1 (nothing matches).</summary>
    public bool SpecVersionMatches { get; private init; } = true;

    /// <summary>Whether objects of <paramref name="type"/> are asked for.</summary>
    public bool WantsType(string type) => Types is null || Types.Contains(type);

    /// <summary>Parses the query string.</summary>
    /// <exception cref="TaxiiException">400 for a malformed or unsupported parameter.</exception>
    public static TaxiiQuery Parse(IQueryCollection query, TaxiiOptions options)
    {
        foreach (var key in query.Keys)
        {
            if (key.StartsWith("match[", StringComparison.Ordinal) && !Known.Contains(key, StringComparer.Ordinal))
            {
                throw BadRequest(key, "unsupported filter; this server supports match[id], match[type], match[version] and match[spec_version]");
            }
        }

        var after = CatalogPosition.Start;
        if (query.TryGetValue("added_after", out var addedAfter))
        {
            if (!DateTimeOffset.TryParse(addedAfter.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                throw BadRequest("added_after", "must be a timestamp such as 2026-01-31T12:00:00.000Z");
            }

            after = CatalogPosition.After(time.ToUnixTimeMilliseconds());
        }

        if (query.TryGetValue("next", out var next))
        {
            if (!CatalogPosition.TryParseToken(next.ToString(), out var position))
            {
                throw BadRequest("next", "is not a token this server issued; use the 'next' value of the previous page unchanged, with the same filters");
            }

            after = CatalogPosition.Max(after, position);
        }

        var limit = options.DefaultPageSize;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)
            {
                throw BadRequest("limit", "must be a positive integer");
            }
        }

        HashSet<string>? ids = null;
        HashSet<Guid>? guids = null;
        if (query.TryGetValue("match[id]", out var idText))
        {
            ids = new HashSet<string>(StringComparer.Ordinal);
            guids = [];
            foreach (var id in List(idText))
            {
                var dash = id.IndexOf("--", StringComparison.Ordinal);
                if (dash <= 0 || !Guid.TryParseExact(id.AsSpan(dash + 2), "D", out var guid))
                {
                    throw BadRequest("match[id]", "must be STIX ids such as indicator--<uuid>, separated by commas");
                }

                ids.Add(id);
                guids.Add(guid);
            }
        }

        HashSet<long>? versions = null;
        if (query.TryGetValue("match[version]", out var versionText))
        {
            foreach (var version in List(versionText))
            {
                if (version is "first" or "last" or "all")
                {
                    continue;
                }

                if (!DateTimeOffset.TryParse(version, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                {
                    throw BadRequest("match[version]", "must be first, last, all or timestamps, separated by commas");
                }

                (versions ??= []).Add(time.ToUnixTimeMilliseconds());
            }

            if (versions is not null && List(versionText).Any(v => v is "first" or "last" or "all"))
            {
                versions = null; // a keyword selects the one version anyway
            }
        }

        return new TaxiiQuery
        {
            After = after,
            Limit = Math.Min(limit, options.MaxPageSize),
            Types = query.TryGetValue("match[type]", out var types) ? new HashSet<string>(List(types), StringComparer.Ordinal) : null,
            Ids = ids,
            IdGuids = guids,
            Versions = versions,
            SpecVersionMatches = !query.TryGetValue("match[spec_version]", out var spec) || List(spec).Contains(StixWriter.SpecVersion),
        };
    }

    private static IEnumerable<string> List(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static TaxiiException BadRequest(string parameter, string rule) =>
        new(StatusCodes.Status400BadRequest, "Invalid query parameter", $"'{parameter}' {rule}.");
}
