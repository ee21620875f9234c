using System.Diagnostics;
using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using OpenTelemetry.Metrics;

namespace Federation.Hub.Tests.Telemetry;

/// <summary>
/// A real hub with OpenTelemetry on (in-memory exporters instead of OTLP) against a real Redis: after a submit, a
/// look-up and a subscribe the expected server and Redis spans and the hub's metrics are exported, and nothing
/// exported — span, metric or log — carries a submitted value, a secret or a token.
/// </summary>
/// <remarks>
/// Alone (<see cref="TelemetryCollection"/>): OpenTelemetry listens by meter and source name, so hubs of other test
/// classes running at the same time in this process would add their spans and gauge values to this hub's export.
/// </remarks>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestRedis redis = new();
    private readonly CapturedTelemetry telemetry = new();
    private HubInstance hub = null!;
    private Scenario scenario = null!;

    public async ValueTask InitializeAsync()
    {
        hub = await HubInstance.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?> { ["Federation:Telemetry:Enabled"] = "true" }, configure: telemetry.AddTo);
        scenario = await Scenario.RunAsync(hub);
    }

    public async ValueTask DisposeAsync()
    {
        await hub.DisposeAsync();
        redis.Dispose();
    }

    [Fact]
    public async Task Submit_lookup_and_subscribe_export_server_spans_and_redis_spans()
    {
        var submitSpans = new HashSet<ActivitySpanId>();
        await Eventually.UntilAsync(
            () =>
            {
                submitSpans = telemetry.Spans.Where(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("http.route"), "/federation.v1.SignalService/Submit")).Select(s => s.SpanId).ToHashSet();
                return telemetry.Spans.Any(s => IsRedisSpan(s) && submitSpans.Contains(s.ParentSpanId));
            },
            Timeout,
            "a Redis client span inside a Submit call's server span");

        var routes = telemetry.Spans.Where(s => s.Kind == ActivityKind.Server).Select(s => s.GetTagItem("http.route") as string).ToHashSet();
        Assert.Contains("/federation.v1.SignalService/Lookup", routes);
        Assert.Contains("/federation.v1.SignalService/Subscribe", routes);
        var submitRedisSpans = telemetry.Spans.Where(s => IsRedisSpan(s) && submitSpans.Contains(s.ParentSpanId)).ToList();
        Assert.All(submitRedisSpans, s => Assert.Equal(ActivityKind.Client, s.Kind));
        // The dedup script runs by SHA (EVAL once, should Redis not have it cached).
        Assert.Contains(submitRedisSpans, s => s.DisplayName is "EVALSHA" or "EVAL");
    }

    [Fact]
    public async Task Submit_lookup_and_subscribe_export_the_hubs_metrics()
    {
        List<MetricSnapshot> metrics = [];
        await Eventually.UntilAsync(
            () =>
            {
                metrics = telemetry.CollectMetrics(hub.Services);
                return Sum(metrics, "federation.feed.delivery_lag") > 0 && Sum(metrics, "federation.feed.subscribers.detached") > 0;
            },
            Timeout,
            "the feed metrics of the subscription");

        Assert.True(Sum(metrics, "federation.signals.submitted", ("outcome", "CREATED"), ("signal.type", "SHA256")) >= 2);
        Assert.True(Sum(metrics, "federation.signals.submitted", ("outcome", "CREATED"), ("signal.type", "PDQ")) >= 1);
        Assert.True(Sum(metrics, "federation.signals.submitted", ("outcome", "REJECTED"), ("signal.type", "MD5")) >= 1);
        Assert.True(Sum(metrics, "federation.signals.rejected", ("rule", scenario.RejectedRule)) >= 1, $"no rejection counted for rule {scenario.RejectedRule}");
        Assert.True(Sum(metrics, "federation.store.duration", ("operation", "submit")) >= 1);
        Assert.True(Sum(metrics, "federation.store.duration", ("operation", "read")) >= 1);
        Assert.True(Sum(metrics, "federation.feed.subscribers.attached") >= 1);
        Assert.True(Sum(metrics, "federation.auth.failures", ("reason", "bad-credentials")) >= 1);
        Assert.True(Sum(metrics, "federation.pdq.index.size") >= 1);
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task No_submitted_value_secret_or_token_appears_in_any_span_metric_or_log()
    {
        await Eventually.UntilAsync(() => telemetry.Spans.Any(IsRedisSpan), Timeout, "a Redis client span");
        var metrics = telemetry.CollectMetrics(hub.Services);
        var texts = telemetry.AllText(metrics).ToList();

        // Controls: the search runs over what was really exported (the member id is no secret and is logged).
        Assert.Contains(texts, t => t.Contains("/federation.v1.SignalService/Submit", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("Federation.Hub", StringComparison.Ordinal) && t.Contains("telemetry-member", StringComparison.Ordinal));
        foreach (var forbidden in scenario.Forbidden)
        {
            var leak = texts.FirstOrDefault(t => t.Contains(forbidden, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"exported telemetry contains '{forbidden[..Math.Min(12, forbidden.Length)]}…': {leak}");
        }
    }

    private static bool IsRedisSpan(Activity span) => span.Source.Name.Contains("StackExchangeRedis", StringComparison.Ordinal) && Equals(span.GetTagItem("db.system"), "redis");

    // Sum of a counter's or histogram's count (a gauge's value) over the points whose tags include every given pair.
    private static double Sum(IEnumerable<MetricSnapshot> metrics, string name, params (string Key, string Value)[] tags)
    {
        var total = 0.0;
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (var point in metric.MetricPoints)
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    pointTags[tag.Key] = tag.Value;
                }

                if (!tags.All(t => pointTags.TryGetValue(t.Key, out var v) && Equals(v as string, t.Value)))
                {
                    continue;
                }

                total += metric.MetricType switch
                {
                    MetricType.Histogram => point.GetHistogramCount(),
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    MetricType.LongGauge => point.GetGaugeLastValueLong(),
                    MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                    MetricType.DoubleGauge => point.GetGaugeLastValueDouble(),
                    _ => 0,
                };
            }
        }

        return total;
    }

    /// <summary>A submit (accepted and rejected items), a look-up, a subscription that receives an update, a refused token request.</summary>
    private sealed record Scenario(IReadOnlyList<string> Forbidden, string RejectedRule)
    {
        public static async Task<Scenario> RunAsync(HubInstance hub)
        {
            var admin = await hub.AdminClientAsync();
            var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "telemetry-member", Scopes = { "signals.submit", "signals.read" } });
            var token = await hub.GetTokenAsync("telemetry-member", created.ClientSecret);
            var client = new SignalService.SignalServiceClient(hub.Invoker(token));
            var wrongSecret = "wrong-secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            using (await hub.RequestTokenAsync("telemetry-member", wrongSecret, "signals.read"))
            {
            }

            var sha = FeedTestMember.RandomSha256();
            var pdq = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var badMd5 = "zz" + FeedTestMember.RandomMd5()[2..];
            var submit = await client.SubmitAsync(new SubmitRequest
            {
                RequestId = Guid.NewGuid().ToString("N"),
                Items =
                {
                    FeedTestMember.Sha(sha),
                    new SignalSubmission { Type = SignalType.Pdq, Value = pdq, Quality = 90, Categories = { Category.Csam } },
                    new SignalSubmission { Type = SignalType.Md5, Value = badMd5, Categories = { Category.Csam } },
                },
            });
            var rule = submit.Results[2].Error.Description.Split(':')[0];

            var lookup = await client.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = sha } } });
            Assert.Single(lookup.Results[0].Matches);

            var live = FeedTestMember.RandomSha256();
            await using (var feed = await FeedReader.OpenAsync(client, FeedTestMember.Latest()))
            {
                await client.SubmitAsync(new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { FeedTestMember.Sha(live) } });
                await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == live), "the update submitted while subscribed");
            }

            var adminToken = await hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
            return new Scenario([sha, pdq, badMd5, live, created.ClientSecret, wrongSecret, token, adminToken, HubInstance.AdminSecret], rule);
        }
    }
}
