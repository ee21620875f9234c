namespace Federation.Hub.Options;

/// <summary>
/// OpenTelemetry (traces, metrics, logs). The exporter is OTLP, configured by the standard <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c>...); telemetry is off while
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is empty (docs/operations.md).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// Collects telemetry even without an OTLP endpoint, for exporters added in code (tests). With an endpoint set,
    /// telemetry is on anyway (unless <c>OTEL_SDK_DISABLED=true</c>).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// One client span per Redis command (command name only, never keys or arguments). At bulk-ingest rates that is
    /// many spans: sample them (<c>OTEL_TRACES_SAMPLER=parentbased_traceidratio</c>) or turn this off.
    /// </summary>
    public bool RedisSpans { get; set; } = true;
}
