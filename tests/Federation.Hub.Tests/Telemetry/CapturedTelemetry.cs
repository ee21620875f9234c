using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Federation.Hub.Tests.Telemetry;

/// <summary>
/// What a hub's OpenTelemetry pipeline exports, captured in memory: spans and metrics through the in-memory exporter,
/// log records through an exporter that copies them at export (the SDK reuses its log record objects).
/// </summary>
public sealed class CapturedTelemetry
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public List<MetricSnapshot> Metrics { get; } = [];

    public ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>Adds the exporters to a hub being built (with <c>Federation:Telemetry:Enabled=true</c>).</summary>
    public void AddTo(WebApplicationBuilder builder)
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new QueueCollection<Activity>(Spans)));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics));
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(new SimpleLogRecordExportProcessor(new CopyingLogExporter(Logs))));
    }

    /// <summary>Exports every metric now (the periodic reader would take up to a minute).</summary>
    public List<MetricSnapshot> CollectMetrics(IServiceProvider hub)
    {
        Assert.True(hub.GetRequiredService<MeterProvider>().ForceFlush(10_000), "the meter provider did not flush");
        lock (Metrics)
        {
            return [.. Metrics];
        }
    }

    /// <summary>Every text the exported telemetry carries: names, attributes, events, statuses, messages.</summary>
    public IEnumerable<string> AllText(IEnumerable<MetricSnapshot> metrics)
    {
        foreach (var span in Spans)
        {
            yield return span.DisplayName;
            yield return span.OperationName;
            yield return span.StatusDescription ?? "";
            foreach (var tag in span.TagObjects)
            {
                yield return $"{tag.Key}={Convert.ToString(tag.Value, CultureInfo.InvariantCulture)}";
            }

            foreach (var e in span.Events)
            {
                yield return e.Name;
                foreach (var tag in e.Tags)
                {
                    yield return $"{tag.Key}={Convert.ToString(tag.Value, CultureInfo.InvariantCulture)}";
                }
            }

            foreach (var baggage in span.Baggage)
            {
                yield return $"{baggage.Key}={baggage.Value}";
            }
        }

        foreach (var metric in metrics)
        {
            yield return metric.Name;
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    yield return $"{tag.Key}={Convert.ToString(tag.Value, CultureInfo.InvariantCulture)}";
                }
            }
        }

        foreach (var line in Logs)
        {
            yield return line;
        }
    }

    private sealed class CopyingLogExporter(ConcurrentQueue<string> sink) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var attributes = record.Attributes is null
                    ? ""
                    : string.Join(" ", record.Attributes.Select(a => $"{a.Key}={Convert.ToString(a.Value, CultureInfo.InvariantCulture)}"));
                sink.Enqueue($"{record.CategoryName} {record.EventId} {record.FormattedMessage} | {record.Body} | {attributes} | {record.Exception}");
            }

            return ExportResult.Success;
        }
    }

    // The in-memory exporter takes an ICollection; spans end on many threads, so they go into a concurrent queue.
    private sealed class QueueCollection<T>(ConcurrentQueue<T> queue) : ICollection<T>
    {
        public int Count => queue.Count;

        public bool IsReadOnly => false;

        public void Add(T item) => queue.Enqueue(item);

        public void Clear() => queue.Clear();

        public bool Contains(T item) => queue.Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => queue.CopyTo(array, arrayIndex);

        public bool Remove(T item) => throw new NotSupportedException();

        public IEnumerator<T> GetEnumerator() => queue.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
