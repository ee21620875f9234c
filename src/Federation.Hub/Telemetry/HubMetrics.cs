using System.Diagnostics;
using System.Diagnostics.Metrics;
using Federation.Contracts.V1;

namespace Federation.Hub.Telemetry;

/// <summary>
/// The hub's own metrics (meter <see cref="MeterName"/>), one method per event so every call site is one line.
/// Tags carry only bounded, code-defined values (outcome, signal type, rule, limit, operation names): never a
/// member id, signal value, token or secret, so neither privacy nor cardinality depends on what callers send.
/// </summary>
/// <remarks>
/// Recording costs a branch while nothing listens (no exporter configured); docs/operations.md lists every instrument.
/// </remarks>
public sealed class HubMetrics : IDisposable
{
    /// <summary>The meter every hub instrument belongs to.</summary>
    public const string MeterName = "Federation.Hub";

    private static readonly string[] TypeNames = BuildNames<SignalType>("SIGNAL_TYPE_");
    private static readonly string[] OutcomeNames = BuildNames<SubmitOutcome>("SUBMIT_OUTCOME_");

    private readonly Meter meter;
    private readonly Counter<long> submitted;
    private readonly Counter<long> rejected;
    private readonly Histogram<double> deliveryLag;
    private readonly Counter<long> attached;
    private readonly Counter<long> detached;
    private readonly UpDownCounter<long> catchingUp;
    private readonly Histogram<double> mergeDuration;
    private readonly Histogram<double> storeDuration;
    private readonly Counter<long> storeFailures;
    private readonly Counter<long> authFailures;
    private readonly Counter<long> authThrottled;
    private readonly Counter<long> rateLimitRefusals;
    private Func<int>? fanOutQueueDepth;
    private Func<int>? fanOutSubscribers;
    private Func<int>? pdqIndexSize;

    /// <param name="meterFactory">The host's meter factory; null for a meter of its own (tests and tools that build storage classes directly).</param>
    public HubMetrics(IMeterFactory? meterFactory = null)
    {
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        submitted = meter.CreateCounter<long>("federation.signals.submitted", "{signal}", "Submitted items stored, by outcome (created, corroborated, unchanged, rejected) and signal type.");
        rejected = meter.CreateCounter<long>("federation.signals.rejected", "{signal}", "Submitted items rejected, by the rule they broke.");
        deliveryLag = meter.CreateHistogram<double>("federation.feed.delivery_lag", "s", "Time from a feed entry's creation in Redis (its stream id) to its dispatch to this replica's subscribers.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        attached = meter.CreateCounter<long>("federation.feed.subscribers.attached", "{subscriber}", "Subscribe streams opened on this replica.");
        detached = meter.CreateCounter<long>("federation.feed.subscribers.detached", "{subscriber}", "Subscribe streams ended on this replica.");
        catchingUp = meter.CreateUpDownCounter<long>("federation.feed.subscribers.catching_up", "{subscriber}", "Subscribers reading the feed from Redis because they are behind the live tail.");
        mergeDuration = meter.CreateHistogram<double>("federation.pdq.index.merge.duration", "s", "Time one merge of the PDQ index's delta into its main segment took.");
        storeDuration = meter.CreateHistogram<double>("federation.store.duration", "s", "Latency of store (Redis) operations, by operation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
        storeFailures = meter.CreateCounter<long>("federation.store.failures", "{failure}", "Calls and feed reads that failed because the store (Redis) was unavailable, by operation.");
        authFailures = meter.CreateCounter<long>("federation.auth.failures", "{failure}", "Refused token requests and calls, by reason (bad credentials, member not active, scope, token refused).");
        authThrottled = meter.CreateCounter<long>("federation.auth.throttled", "{request}", "Token requests refused by the secret-guessing throttle, by the limit that refused them.");
        rateLimitRefusals = meter.CreateCounter<long>("federation.rate_limit.refusals", "{call}", "Calls refused with RESOURCE_EXHAUSTED by a per-member limit, by limit.");
        // A gauge with no source yet reports nothing (not 0), so an instance without a feed tail or index never hides one that has.
        meter.CreateObservableGauge("federation.feed.fanout.queue_depth", () => Observe(fanOutQueueDepth), "{update}", "Feed updates handed to this replica's subscribers and not yet written by them.");
        meter.CreateObservableGauge("federation.feed.subscribers.live", () => Observe(fanOutSubscribers), "{subscriber}", "Subscribers following this replica's live feed tail.");
        meter.CreateObservableGauge("federation.pdq.index.size", () => Observe(pdqIndexSize), "{hash}", "PDQ hash and sharing group pairs in this replica's near-match index.");
    }

    /// <summary>Counts a stored batch's items by outcome and type, and each rejection by its rule ("rule: message").</summary>
    public void Submitted(IReadOnlyList<Signals.SubmissionItem> items, IReadOnlyList<Domain.SubmissionItemResult> results)
    {
        if (!submitted.Enabled && !rejected.Enabled)
        {
            return;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var type = i < items.Count ? Name(TypeNames, (int)items[i].Kind) : "unknown";
            submitted.Add(1, new("outcome", Name(OutcomeNames, (int)result.Outcome)), new("signal.type", type));
            if (result.Outcome == Domain.SubmissionOutcome.Rejected)
            {
                rejected.Add(1, new KeyValuePair<string, object?>("rule", RuleOf(result.Refusal?.Description)));
            }
        }
    }

    /// <summary>Records the delivery lag of an entry created at <paramref name="createdUnixMilliseconds"/> (its stream id's time).</summary>
    public void FeedDispatched(ulong createdUnixMilliseconds)
    {
        if (deliveryLag.Enabled)
        {
            var lag = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)createdUnixMilliseconds;
            deliveryLag.Record(Math.Max(0, lag) / 1000.0);
        }
    }

    public void SubscriberAttached() => attached.Add(1);

    public void SubscriberDetached() => detached.Add(1);

    /// <summary>Counts a subscriber as catching up from Redis until the result is disposed.</summary>
    public CatchUpScope CatchingUp()
    {
        catchingUp.Add(1);
        return new CatchUpScope(catchingUp);
    }

    /// <summary>Where the fan-out gauges read from (the feed tail).</summary>
    public void ObserveFanOut(Func<int> queueDepth, Func<int> subscribers)
    {
        fanOutQueueDepth = queueDepth;
        fanOutSubscribers = subscribers;
    }

    /// <summary>Where the PDQ index size gauge reads from.</summary>
    public void ObservePdqIndex(Func<int> size) => pdqIndexSize = size;

    public void PdqMerged(TimeSpan duration) => mergeDuration.Record(duration.TotalSeconds);

    /// <summary>Times a store operation until the result is disposed.</summary>
    public StoreTiming TimeStore(string operation) => new(storeDuration, operation, Stopwatch.GetTimestamp());

    public void StoreFailed(string operation) => storeFailures.Add(1, new KeyValuePair<string, object?>("operation", operation));

    public void AuthFailed(string reason) => authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void AuthThrottled(string limit) => authThrottled.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void RateLimitRefused(string limit) => rateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void Dispose() => meter.Dispose();

    // Rejection descriptions start with the rule ("value.hex: ..."): the rule names are the code's, never the caller's input.
    private static string RuleOf(string? description)
    {
        var colon = description?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0 && colon <= 64 && description![..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            ? description[..colon]
            : "other";
    }

    private static IEnumerable<Measurement<int>> Observe(Func<int>? source) => source is null ? [] : [new Measurement<int>(source())];

    private static string Name(string[] names, int value) => (uint)value < (uint)names.Length ? names[value] : "unknown";

    // The proto's names without the enum prefix ("PDQ", "URL_SHA256", "CREATED"), as the contract documents them.
    private static string[] BuildNames<T>(string prefix) where T : struct, Enum
    {
        var fields = typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static);
        var names = new string[fields.Max(f => Convert.ToInt32(f.GetValue(null), System.Globalization.CultureInfo.InvariantCulture)) + 1];
        Array.Fill(names, "unknown");
        foreach (var field in fields)
        {
            var original = field.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? field.Name;
            names[Convert.ToInt32(field.GetValue(null), System.Globalization.CultureInfo.InvariantCulture)] =
                original.StartsWith(prefix, StringComparison.Ordinal) ? original[prefix.Length..] : original;
        }

        return names;
    }

    /// <summary>Ends a catch-up when disposed.</summary>
    public readonly struct CatchUpScope(UpDownCounter<long> counter) : IDisposable
    {
        public void Dispose() => counter.Add(-1);
    }

    /// <summary>Records a store operation's duration when disposed.</summary>
    public readonly struct StoreTiming(Histogram<double> histogram, string operation, long started) : IDisposable
    {
        public void Dispose()
        {
            if (histogram.Enabled)
            {
                histogram.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
            }
        }
    }
}
