using System.Globalization;
using System.Text.Json;

namespace Federation.Hub.Taxii;

/// <summary>Writes TAXII 2.1 error messages (section 3.6.1: <c>title</c>, <c>description</c>, <c>http_status</c> as a string).</summary>
public static class TaxiiErrors
{
    /// <summary>Answers <paramref name="status"/> with a TAXII error body.</summary>
    public static async Task WriteAsync(HttpResponse response, int status, string title, string description)
    {
        response.StatusCode = status;
        response.ContentType = TaxiiMediaTypes.Taxii;
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("title", title);
            json.WriteString("description", description);
            json.WriteString("http_status", status.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync().ConfigureAwait(false);
    }
}
