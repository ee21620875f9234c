using Microsoft.Net.Http.Headers;

namespace Federation.Hub.Taxii;

/// <summary>The TAXII 2.1 media types and the Accept rule (TAXII 2.1 section 1.6.8: 406 when none is acceptable).</summary>
public static class TaxiiMediaTypes
{
    /// <summary>Every TAXII response body.</summary>
    public const string Taxii = "application/taxii+json;version=2.1";

    /// <summary>The STIX content the collections hold.</summary>
    public const string Stix = "application/stix+json;version=2.1";

    /// <summary>
    /// True when the Accept header admits <see cref="Taxii"/>: <c>application/taxii+json</c> with <c>version=2.1</c> or
    /// without a version (the latest, which this server is), or a wildcard range. A missing Accept header is refused: the
    /// specification requires clients to send one, and a client that gets STIX 2.1 without asking for it may misread it.
    /// </summary>
    public static bool IsAcceptable(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        foreach (var range in accepted)
        {
            if (range.Quality == 0)
            {
                continue;
            }

            if (range.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase) ||
                range.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (!range.MediaType.Equals("application/taxii+json", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var version = NameValueHeaderValue.Find(range.Parameters, "version")?.Value.Value;
            if (version is null || version == "2.1")
            {
                return true;
            }
        }

        return false;
    }
}
