using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Federation.Bench;

/// <summary>
/// Every garbage collection of this process with its generation, pause (suspension to restart) and the bytes it kept,
/// from the runtime's own events: which collections stop the hub's threads, for how long, and what made them long.
/// With <c>allocations</c>, also the runtime's allocation samples (one per ~100 KB allocated) by type.
/// </summary>
/// <remarks>
/// Events reach an in-process listener on a dispatch thread some time after they happen, so pauses come from the
/// events' own stamps and a collection is assigned to a window by when its event arrived (within milliseconds).
/// </remarks>
internal sealed class GcPauses(bool allocations) : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int MarkOlderGeneration = 3; // GCMarkWithType's root kind for references from older generations (cards)
    private readonly ConcurrentQueue<Collection> collections = new();
    private readonly ConcurrentDictionary<string, long> samples = new(StringComparer.Ordinal);
    private DateTime suspendedAt;
    private int generation = -1;
    private bool background;
    private long promoted;
    private long markedFromOlder;

    // Stopwatch ticks at DateTime.UtcNow's tick 0, so an event's DateTime stamp converts to a Stopwatch timestamp.
    private readonly double stopwatchAtUtcZero = Stopwatch.GetTimestamp() - (DateTime.UtcNow.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    /// <summary>One collection: when its last event arrived, its generation, whether background, pause, kept bytes.</summary>
    /// <remarks><c>RestartedTicks</c> is the event's own stamp of the restart, as a <see cref="Stopwatch"/> timestamp.</remarks>
    public readonly record struct Collection(long ArrivedTicks, long RestartedTicks, int Generation, bool Background, double PauseMs, long PromotedBytes, long MarkedFromOlderBytes);

    /// <summary>The collections whose events arrived between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public IReadOnlyList<Collection> Between(long startTicks, long endTicks) =>
        collections.Where(c => c.ArrivedTicks >= startTicks && c.ArrivedTicks <= endTicks).ToList();

    /// <summary>One line per window: pauses by generation, mean bytes promoted and marked through older generations.</summary>
    public static string Describe(IReadOnlyList<Collection> window)
    {
        if (window.Count == 0)
        {
            return "no collections";
        }

        var byGen = window.GroupBy(c => (c.Generation, c.Background)).OrderBy(g => g.Key.Generation)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"gen{g.Key.Generation}{(g.Key.Background ? " background" : string.Empty)} {g.Count()} x mean {g.Average(c => c.PauseMs):F1} / max {g.Max(c => c.PauseMs):F1} ms, promoted {g.Average(c => c.PromotedBytes) / 1e6:F1} MB, marked from older generations {g.Average(c => c.MarkedFromOlderBytes) / 1e6:F1} MB"));
        return string.Create(CultureInfo.InvariantCulture, $"{window.Count} collections, {window.Sum(c => c.PauseMs):F0} ms paused: ") + string.Join("; ", byGen);
    }

    /// <summary>The types that took most allocation samples (each ≈ 100 KB allocated), when enabled.</summary>
    public string TopAllocations(int count) => string.Join(
        Environment.NewLine,
        samples.OrderByDescending(t => t.Value).Take(count).Select(t => string.Create(CultureInfo.InvariantCulture, $"    {t.Value * 0.1,8:F1} MB  {t.Key}")));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            // Allocation samples are verbose-level events; the collections themselves are informational.
            EnableEvents(source, allocations ? EventLevel.Verbose : EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
            case "GCSuspendEEBegin_V1":
                suspendedAt = e.TimeStamp;
                markedFromOlder = 0;
                break;
            case "GCStart_V2":
                generation = Convert.ToInt32(e.Payload![1], CultureInfo.InvariantCulture);
                background = Convert.ToInt32(e.Payload![3], CultureInfo.InvariantCulture) == 1;
                break;
            case "GCMarkWithType" when Convert.ToInt32(e.Payload![2], CultureInfo.InvariantCulture) == MarkOlderGeneration:
                markedFromOlder += Convert.ToInt64(e.Payload![3], CultureInfo.InvariantCulture);
                break;
            case "GCHeapStats_V2":
                // TotalPromotedSize0..2: what the collection kept of each generation it collected.
                promoted = Convert.ToInt64(e.Payload![1], CultureInfo.InvariantCulture) + (generation >= 1 ? Convert.ToInt64(e.Payload![3], CultureInfo.InvariantCulture) : 0)
                    + (generation >= 2 ? Convert.ToInt64(e.Payload![5], CultureInfo.InvariantCulture) : 0);
                break;
            case "GCRestartEEEnd_V1" when suspendedAt != default:
                collections.Enqueue(new Collection(Stopwatch.GetTimestamp(), (long)(stopwatchAtUtcZero + (e.TimeStamp.ToUniversalTime().Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond))), generation, background, (e.TimeStamp - suspendedAt).TotalMilliseconds, promoted, markedFromOlder));
                suspendedAt = default;
                break;
            case "GCAllocationTick_V4" when allocations:
                var type = e.Payload![e.PayloadNames!.IndexOf("TypeName")]?.ToString() ?? "?";
                samples.AddOrUpdate(type, 1, static (_, n) => n + 1);
                break;
        }
    }
}
