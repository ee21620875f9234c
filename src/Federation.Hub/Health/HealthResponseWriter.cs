using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Health;

/// <summary>
/// Writes a health report as a small JSON document: the overall status and, per check, its status, description and
/// data (counts and timings only: health endpoints answer without authentication).
/// </summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
