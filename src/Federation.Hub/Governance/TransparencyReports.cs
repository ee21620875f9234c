using System.Globalization;
using Federation.Contracts.V1;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Governance;

/// <summary>Builds the transparency report of a period from the day counters <see cref="TransparencyCounters"/> keeps.</summary>
public sealed class TransparencyReports(ReportStore store)
{
    /// <summary>Longest period, in days.</summary>
    public const int MaxDays = 800;

    /// <summary>Members below this many contributions are counted together unless the request says otherwise.</summary>
    public const int DefaultMinMemberContributions = 10;

    /// <summary>The report of <paramref name="request"/>'s period.</summary>
    public async Task<TransparencyReport> GetAsync(GetTransparencyReportRequest request)
    {
        var from = ParseDay(request.FromDate, "from_date");
        var to = request.ToDate.Length == 0 ? from : ParseDay(request.ToDate, "to_date");
        if (to < from || to.DayNumber - from.DayNumber >= MaxDays)
        {
            throw HubErrors.InvalidArgument("to_date", $"report.period: the period must end on or after it starts and span at most {MaxDays} days (got {from:yyyy-MM-dd} to {to:yyyy-MM-dd})");
        }

        var minimum = request.MinMemberContributions == 0 ? DefaultMinMemberContributions : (int)request.MinMemberContributions;
        var days = await store.ReadAsync(from, to).ConfigureAwait(false);
        var report = new TransparencyReport
        {
            FromDate = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ToDate = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            MinMemberContributions = (uint)minimum,
        };
        var total = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (day, counts) in days)
        {
            report.Days.Add(new TransparencyDay { Date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Figures = Figures(counts) });
            foreach (var (field, count) in counts)
            {
                total[field] = total.GetValueOrDefault(field) + count;
            }
        }

        report.Totals = Figures(total);
        foreach (var (member, contributions) in total.Where(c => c.Key.StartsWith("member:", StringComparison.Ordinal))
            .Select(c => (Id: c.Key["member:".Length..], c.Value)).OrderByDescending(m => m.Value).ThenBy(m => m.Id, StringComparer.Ordinal))
        {
            if (contributions >= minimum)
            {
                report.Members.Add(new MemberContributions { MemberId = member, Contributions = (ulong)contributions });
            }
            else
            {
                report.OtherMembers++;
                report.OtherMemberContributions += (ulong)contributions;
            }
        }

        if (request.IncludeSvgChart)
        {
            report.SvgChart = TransparencyChart.Render(report);
        }

        return report;
    }

    private static TransparencyFigures Figures(Dictionary<string, long> counts)
    {
        var figures = new TransparencyFigures
        {
            Opinions = new OpinionCounts
            {
                Confirmed = (uint)Count(TransparencyCounters.OpinionOf(Signals.SignalOpinion.Confirmed)),
                Disputed = (uint)Count(TransparencyCounters.OpinionOf(Signals.SignalOpinion.Disputed)),
                FalsePositive = (uint)Count(TransparencyCounters.OpinionOf(Signals.SignalOpinion.FalsePositive)),
            },
            Withdrawn = (ulong)Count(TransparencyCounters.Withdrawn),
            Retracted = (ulong)Count(TransparencyCounters.Retracted),
            Quarantined = (ulong)Count(TransparencyCounters.Quarantined),
            Released = (ulong)Count(TransparencyCounters.Released),
            Overturned = (ulong)Count(TransparencyCounters.Overturned),
            Rejected = (ulong)Count(TransparencyCounters.Rejected),
            Delivery = Delivery(counts),
        };
        foreach (var type in Enum.GetValues<SignalType>().Where(t => t != SignalType.Unspecified))
        {
            var created = Count(TransparencyCounters.Created(type));
            var corroborated = Count(TransparencyCounters.Corroborated(type));
            if (created + corroborated > 0)
            {
                figures.Types_.Add(new SignalTypeFigures { Type = type, Created = (ulong)created, Corroborated = (ulong)corroborated });
            }
        }

        foreach (var category in Enum.GetValues<Category>().Where(c => c != Category.Unspecified))
        {
            if (Count(TransparencyCounters.InCategory(category)) is var n and > 0)
            {
                figures.Categories.Add(new CategoryFigures { Category = category, Contributions = (ulong)n });
            }
        }

        return figures;

        long Count(string field) => counts.GetValueOrDefault(field);
    }

    private static DeliveryLatency Delivery(Dictionary<string, long> counts)
    {
        var bounds = TransparencyCounters.LatencyBoundsMs;
        var buckets = Enumerable.Range(0, bounds.Count + 1).Select(i => counts.GetValueOrDefault(TransparencyCounters.Latency(i))).ToArray();
        var delivery = new DeliveryLatency { Deliveries = (ulong)buckets.Sum() };
        for (var i = 0; i < buckets.Length; i++)
        {
            delivery.Buckets.Add(new LatencyBucket { UpToMs = i < bounds.Count ? (uint)bounds[i] : 0, Count = (ulong)buckets[i] });
        }

        delivery.P50Ms = Percentile(0.50);
        delivery.P99Ms = Percentile(0.99);
        return delivery;

        uint Percentile(double share)
        {
            if (delivery.Deliveries == 0)
            {
                return 0;
            }

            var rank = (long)Math.Ceiling(share * delivery.Deliveries);
            long seen = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                seen += buckets[i];
                if (seen >= rank)
                {
                    return (uint)bounds[Math.Min(i, bounds.Count - 1)];
                }
            }

            return (uint)bounds[^1];
        }
    }

    private static DateOnly ParseDay(string text, string field) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw HubErrors.InvalidArgument(field, $"report.date: '{text}' is not a date; write it as YYYY-MM-DD (UTC), e.g. 2026-01-31");
}
