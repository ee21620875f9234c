using Federation.Hub.Options;
using Federation.Hub.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Federation.Hub.Extensions;

/// <summary>
/// The hub's metrics (<see cref="HubMetrics"/>, always recorded, cheap while unobserved) and OpenTelemetry: ASP.NET
/// Core / gRPC server spans, Redis spans, the hub's and the runtime's metrics, and logs, exported over OTLP as the
/// standard <c>OTEL_*</c> variables say; off while no OTLP endpoint is configured (docs/operations.md).
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The standard variable whose value switches the OTLP exporter on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddFederationTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<HubMetrics>();

        var options = FederationOptions.From(builder.Configuration).Telemetry;
        var endpoint = builder.Configuration[OtlpEndpointVariable];
        var exporting = !string.IsNullOrWhiteSpace(endpoint);
        if (!exporting && !options.Enabled)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win when set; otherwise the hub names itself.
                if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("federation-hub", serviceVersion: typeof(HubMetrics).Assembly.GetName().Version?.ToString());
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(aspnet =>
                {
                    // Probes every few seconds from every load balancer are noise, not traffic.
                    aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/healthz");
                    // Exception messages can quote what a caller sent; the span keeps the error type and status only.
                    aspnet.RecordException = false;
                });
                if (options.RedisSpans)
                {
                    // The command name only: verbose statements would put keys, which carry signal hashes, into spans.
                    tracing.AddRedisInstrumentation(redis => redis.SetVerboseDatabaseStatements = false);
                }
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(HubMetrics.MeterName))
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = false;
            });
        if (exporting)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }
}
