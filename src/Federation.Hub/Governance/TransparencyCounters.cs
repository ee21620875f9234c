using System.Collections.Concurrent;
using Federation.Contracts.V1;
using Federation.Hub.Feed;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Governance;

/// <summary>
/// Counts what the transparency report shows (docs/governance.md): each replica adds up events in memory, by UTC day, and
/// every <see cref="FlushInterval"/> adds them to the day's counters in Redis (one pipelined batch), so the hot paths pay
/// a dictionary update, not a Redis call. A replica that dies loses at most one interval of counts: the report is a
/// statistic, not a ledger (the signals and the audit log are). Delivery latency is a fixed histogram fed by this
/// replica's feed tail.
/// </summary>
public sealed class TransparencyCounters(ReportStore store, FeedTail tail, IOptions<FederationOptions> options, TimeProvider clock, ILogger<TransparencyCounters> logger)
    : BackgroundService
{
    /// <summary>How often a replica adds its counts to Redis.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    /// <summary>Upper bounds (ms) of the delivery latency buckets; one more bucket holds the rest.</summary>
    public static readonly IReadOnlyList<int> LatencyBoundsMs = [5, 10, 25, 50, 100, 250, 500, 1000, 5000];

    // Field names built once: the submit path counts with them.
    private static readonly (string Created, string Corroborated)[] TypeFields =
        Enumerable.Range(0, Enum.GetValues<SignalType>().Max(t => (int)t) + 1).Select(t => (Created((SignalType)t), Corroborated((SignalType)t))).ToArray();

    private static readonly string[] CategoryFields =
        Enumerable.Range(0, Enum.GetValues<Category>().Max(c => (int)c) + 1).Select(c => InCategory((Category)c)).ToArray();

    private readonly TimeSpan retention = options.Value.Governance.ReportRetention;
    private ConcurrentDictionary<(DateOnly Day, string Field), long> counts = new();
    private long[] latency = new long[LatencyBoundsMs.Count + 1];

    /// <summary>Field of a count: new records of a type.</summary>
    public static string Created(SignalType type) => $"created:{(int)type}";

    /// <summary>Field: corroborations of a type.</summary>
    public static string Corroborated(SignalType type) => $"corroborated:{(int)type}";

    /// <summary>Field: accepted contributions in a category.</summary>
    public static string InCategory(Category category) => $"category:{(int)category}";

    /// <summary>Field: a member's accepted contributions.</summary>
    public static string ByMember(string memberId) => "member:" + memberId;

    /// <summary>Field: opinions of a kind.</summary>
    public static string OpinionOf(Signals.SignalOpinion opinion) => $"opinion:{(int)opinion}";

    /// <summary>Field: delivery latency bucket <paramref name="index"/>.</summary>
    public static string Latency(int index) => $"lag:{index}";

    /// <summary>The other fields: withdrawn, retracted, quarantined, released, overturned, rejected.</summary>
    public const string Withdrawn = "withdrawn", Retracted = "retracted", Quarantined = "quarantined", Released = "released", Overturned = "overturned", Rejected = "rejected";

    /// <summary>Counts <paramref name="n"/> events of <paramref name="field"/> today.</summary>
    public void Add(string field, long n = 1) => counts.AddOrUpdate((Today(), field), n, (_, c) => c + n);

    /// <summary>
    /// Counts one submitted batch: per accepted item its type's outcome, its categories and the member; rejections. Added
    /// up per batch first, so a 1,000-item batch costs a few dictionary updates, not thousands.
    /// </summary>
    public void Submitted(string memberId, IReadOnlyList<Signals.SubmissionItem> items, IReadOnlyList<Domain.SubmissionItemResult> results)
    {
        Span<int> created = stackalloc int[TypeFields.Length];
        Span<int> corroborated = stackalloc int[TypeFields.Length];
        Span<int> categories = stackalloc int[CategoryFields.Length];
        created.Clear();
        corroborated.Clear();
        categories.Clear();
        long accepted = 0, rejected = 0;
        foreach (var result in results)
        {
            if (result.Outcome == Domain.SubmissionOutcome.Rejected)
            {
                rejected++;
                continue;
            }

            if (result.Outcome is not (Domain.SubmissionOutcome.Created or Domain.SubmissionOutcome.Corroborated) || result.Index >= items.Count)
            {
                continue;
            }

            var item = items[result.Index];
            var type = Math.Clamp((int)item.Kind, 0, TypeFields.Length - 1);
            if (result.Outcome == Domain.SubmissionOutcome.Created)
            {
                created[type]++;
            }
            else
            {
                corroborated[type]++;
            }

            foreach (var category in item.Categories)
            {
                categories[Math.Clamp((int)category, 0, CategoryFields.Length - 1)]++;
            }

            accepted++;
        }

        for (var t = 0; t < TypeFields.Length; t++)
        {
            AddIfAny(TypeFields[t].Created, created[t]);
            AddIfAny(TypeFields[t].Corroborated, corroborated[t]);
        }

        for (var c = 0; c < CategoryFields.Length; c++)
        {
            AddIfAny(CategoryFields[c], categories[c]);
        }

        AddIfAny(Rejected, rejected);
        AddIfAny(ByMember(memberId), accepted);
    }

    private void AddIfAny(string field, long n)
    {
        if (n > 0)
        {
            Add(field, n);
        }
    }

    /// <summary>Adds every count so far to Redis.</summary>
    public async Task FlushAsync()
    {
        var taken = Interlocked.Exchange(ref counts, new ConcurrentDictionary<(DateOnly Day, string Field), long>());
        // The histogram counts for the day of the flush (deliveries in the last interval before midnight count for the next).
        var day = Today();
        var histogram = Interlocked.Exchange(ref latency, new long[LatencyBoundsMs.Count + 1]);
        var byDay = taken.GroupBy(c => c.Key.Day).ToDictionary(g => g.Key, g => g.Select(c => KeyValuePair.Create(c.Key.Field, c.Value)).ToList());
        if (histogram.Any(n => n > 0))
        {
            if (!byDay.TryGetValue(day, out var list))
            {
                byDay[day] = list = [];
            }

            list.AddRange(histogram.Select((n, i) => KeyValuePair.Create(Latency(i), n)).Where(c => c.Value > 0));
        }

        foreach (var (d, fields) in byDay)
        {
            await store.AddAsync(d, fields, retention).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observation = await tail.ObserveAsync(Delivered, stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(FlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await TryFlushAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the last counts go out below.
        }

        await TryFlushAsync().ConfigureAwait(false);
    }

    // On the feed tail's thread: one bucket increment per entry.
    private void Delivered(FeedEntry entry)
    {
        var lag = clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)entry.Id.Milliseconds;
        var bucket = 0;
        while (bucket < LatencyBoundsMs.Count && lag > LatencyBoundsMs[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref Volatile.Read(ref latency)[bucket]);
    }

    private async Task TryFlushAsync()
    {
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsStoreError(e))
        {
            logger.LogWarning("Transparency counts not added ({Message}); this interval's counts are dropped", e.Message);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
