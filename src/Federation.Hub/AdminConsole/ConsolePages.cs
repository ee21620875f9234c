using System.Reflection;

namespace Federation.Hub.AdminConsole;

/// <summary>
/// Serves the admin console (docs/governance.md) from files embedded in the hub: a static page whose script signs in at
/// the hub's token endpoint and uses the HTTP/JSON routes, so it needs no server state and no authority of its own. A
/// strict Content-Security-Policy allows only this origin's script, style and the chart's data: image; no framing.
/// </summary>
public static class ConsolePages
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        // Routing ignores a trailing slash: this serves /console and /console/ alike.
        ("/console/", "index.html", "text/html; charset=utf-8"),
        ("/console/console.js", "console.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "console.css", "text/css; charset=utf-8"),
    ];

    /// <summary>Maps the console's files on the HTTP port.</summary>
    public static WebApplication MapAdminConsole(this WebApplication app)
    {
        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Load(resource);
            app.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.ContentSecurityPolicy = Policy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                http.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }

        return app;
    }

    private static byte[] Load(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".wwwroot." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
