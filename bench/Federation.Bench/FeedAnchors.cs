using Federation.Contracts.V1;

namespace Federation.Bench;

/// <summary>
/// The same-run baselines of sections 3 and 4 (DESIGN.md): the feed latency of a bare gRPC server-streaming harness and
/// the highest rate a naive fan-out harness sustains, both <see cref="BareFeedHarness"/> in this process, subscribed to
/// by the same <c>feed-clients</c> process layout (50 streams per connection) as the hub.
/// </summary>
internal static class FeedAnchors
{
    private const int SubscribersPerConnection = 50;

    /// <summary>
    /// The anchors' figures: the bare latency step, the naive harness's fan-out ladder (up to its first miss) and, when
    /// the hub's own ladder stopped below it, the hub's extra step at twice the naive harness's sustained rate.
    /// </summary>
    public sealed record Result(FeedDelivery.Result BareLatency, List<FeedDelivery.Result> Naive, FeedDelivery.Result? HubAtTwiceNaive = null)
    {
        /// <summary>Deliveries/s of the naive harness's highest sustained step (0 when none was).</summary>
        public double NaiveSustainedDeliveriesPerSecond => SustainedDeliveriesPerSecond(Naive);
    }

    /// <summary>A step is sustained when every delivery arrived within the drain bound and p99 &lt; 100 ms (DESIGN.md).</summary>
    public static bool Sustained(FeedDelivery.Result run) => run.P99Ms < 100 && run.Delivered == run.Expected;

    /// <summary>Deliveries/s of the highest sustained step of a ladder (0 when none was).</summary>
    public static double SustainedDeliveriesPerSecond(IEnumerable<FeedDelivery.Result> steps) =>
        steps.Where(Sustained).Select(r => r.DeliveriesPerSecond).DefaultIfEmpty(0).Max();

    /// <summary>Offered deliveries/s (rate × subscribers) of the highest sustained step of a ladder (0 when none was).</summary>
    public static long SustainedOffered(IEnumerable<FeedDelivery.Result> steps) =>
        steps.Where(Sustained).Select(r => (long)r.SignalsPerSecond * r.Subscribers).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Feed latency of the bare harness: <paramref name="subscribers"/> streams, <paramref name="rate"/> updates/s in
    /// batches every 10 ms, after an uncounted warm-up by the hub's rule (<see cref="FeedDelivery.WarmUpAsync(FeedDelivery.Audience, Func{SubmitRequest, Task}, int, TimeSpan, int)"/>).
    /// </summary>
    public static async Task<FeedDelivery.Result> BareLatencyAsync(
        SubscribeResponse template, int subscribers, int rate, TimeSpan warmUp, TimeSpan duration, int seed)
    {
        await using var harness = await BareFeedHarness.StartAsync(FeedAnchor.Bare, template);
        await using var audience = await OpenAsync(harness, subscribers);
        Console.WriteLine($"  {await FeedDelivery.WarmUpAsync(audience, harness.PublishAsync, rate, warmUp, seed)}");
        return await FeedDelivery.RunAsync(audience, harness.PublishAsync, rate, duration, seed + 1);
    }

    /// <summary>
    /// The naive fan-out ladder: <paramref name="rates"/> in order to <paramref name="subscribers"/> streams, stopping
    /// after the first step not sustained (the ones above it would only take longer to fail). <paramref name="report"/>
    /// hears each step as it ends.
    /// </summary>
    public static async Task<List<FeedDelivery.Result>> NaiveLadderAsync(
        SubscribeResponse template, int subscribers, int[] rates, TimeSpan warmUp, TimeSpan step, int seed, Action<FeedDelivery.Result> report)
    {
        await using var harness = await BareFeedHarness.StartAsync(FeedAnchor.Naive, template);
        await using var audience = await OpenAsync(harness, subscribers);
        Console.WriteLine($"  {await FeedDelivery.WarmUpAsync(audience, harness.PublishAsync, rates[0], warmUp, seed++)}");
        var steps = new List<FeedDelivery.Result>();
        foreach (var rate in rates)
        {
            var run = await FeedDelivery.RunAsync(audience, harness.PublishAsync, rate, step, seed++);
            steps.Add(run);
            report(run);
            if (!Sustained(run))
            {
                break;
            }
        }

        return steps;
    }

    // The anchor checks no token; the clients still send one header per call, as they do to the hub.
    private static Task<FeedDelivery.Audience> OpenAsync(BareFeedHarness harness, int subscribers)
    {
        var connections = (subscribers + SubscribersPerConnection - 1) / SubscribersPerConnection;
        var tokens = Enumerable.Range(0, connections).Select(c => $"bare-anchor-{c}").ToList();
        return FeedDelivery.Audience.OpenAsync(harness.Address, tokens, subscribers);
    }
}
