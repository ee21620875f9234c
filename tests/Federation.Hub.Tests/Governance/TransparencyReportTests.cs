using Federation.Contracts.V1;
using Federation.Hub.Governance;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Governance;

/// <summary>
/// The transparency report over real gRPC with real tokens and Redis: what members and administrators did today, counted
/// by each replica and added up in Redis, reported by type, category, member (small contributors only counted together),
/// opinions, ends of signals and delivery latency. One hub per class, so the counts are this class's own.
/// </summary>
public sealed class TransparencyReportTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Todays_report_counts_what_happened_and_hides_small_contributors()
    {
        var big = await fixture.CreateSignalMemberAsync();
        var small = await fixture.CreateSignalMemberAsync();
        var values = Enumerable.Range(0, 12).Select(_ => RandomSha256()).ToArray();
        await big.SubmitAsync(values.Select(v => Sha256(v, Category.Csam, Category.Grooming)).ToArray());
        await small.SubmitAsync(Sha256(values[0]), Sha256(values[1]), new SignalSubmission { Type = SignalType.Sha256, Value = "not hex", Categories = { Category.Csam } });
        await small.OpinionAsync(values[2], Opinion.Confirmed);
        await small.Client.RetractAsync(new RetractRequest { Signal = Ref(values[0]) }); // withdrawn: big still backs it
        await big.Client.RetractAsync(new RetractRequest { Signal = Ref(values[3]) });   // retracted
        var governance = await fixture.GovernanceClientAsync();
        await governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(values[4]), Reason = "review" });
        await governance.ReleaseSignalAsync(new ReleaseSignalRequest { Signal = Ref(values[4]), Reason = "fine" });
        await governance.OverturnSignalAsync(new OverturnSignalRequest { Signal = Ref(values[5]), Reason = "benign" });
        var counters = fixture.Hub.Services.GetRequiredService<TransparencyCounters>();
        await WaitUntilAsync(async () =>
        {
            await counters.FlushAsync();
            return (await TodayAsync(governance)).Totals.Delivery.Deliveries >= 19;
        }, TimeSpan.FromSeconds(20), "the feed tail to deliver today's changes");

        var report = await TodayAsync(governance);
        var totals = report.Totals;

        var sha = Assert.Single(totals.Types_);
        Assert.Equal(SignalType.Sha256, sha.Type);
        Assert.Equal(12ul, sha.Created);
        Assert.Equal(2ul, sha.Corroborated);
        Assert.Equal(14ul, Assert.Single(totals.Categories, c => c.Category == Category.Csam).Contributions);
        Assert.Equal(12ul, Assert.Single(totals.Categories, c => c.Category == Category.Grooming).Contributions);
        Assert.Equal(1u, totals.Opinions.Confirmed);
        Assert.Equal(1ul, totals.Withdrawn);
        Assert.Equal(1ul, totals.Retracted);
        Assert.Equal(1ul, totals.Quarantined);
        Assert.Equal(1ul, totals.Released);
        Assert.Equal(1ul, totals.Overturned);
        Assert.Equal(1ul, totals.Rejected);
        Assert.True(totals.Delivery.P99Ms >= totals.Delivery.P50Ms && totals.Delivery.P50Ms > 0);
        Assert.Equal(totals.Delivery.Deliveries, (ulong)totals.Delivery.Buckets.Sum(b => (long)b.Count));
        var named = Assert.Single(report.Members);
        Assert.Equal(big.Id, named.MemberId);
        Assert.Equal(12ul, named.Contributions);
        Assert.Equal(1u, report.OtherMembers);
        Assert.Equal(2ul, report.OtherMemberContributions);
        Assert.Equal(10u, report.MinMemberContributions);
        Assert.Single(report.Days);
    }

    [Fact]
    public async Task A_period_lists_every_day_and_bad_periods_are_invalid_argument()
    {
        var governance = await fixture.GovernanceClientAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var week = (await governance.GetTransparencyReportAsync(new GetTransparencyReportRequest { FromDate = Day(today.AddDays(-6)), ToDate = Day(today) })).Report;
        var notDate = await Assert.ThrowsAsync<RpcException>(() => governance.GetTransparencyReportAsync(new GetTransparencyReportRequest { FromDate = "01/12/2026" }).ResponseAsync);
        var backwards = await Assert.ThrowsAsync<RpcException>(() => governance.GetTransparencyReportAsync(new GetTransparencyReportRequest { FromDate = Day(today), ToDate = Day(today.AddDays(-1)) }).ResponseAsync);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => governance.GetTransparencyReportAsync(new GetTransparencyReportRequest { FromDate = Day(today.AddDays(-900)), ToDate = Day(today) }).ResponseAsync);

        Assert.Equal(7, week.Days.Count);
        Assert.Equal(Day(today.AddDays(-6)), week.Days[0].Date);
        Assert.Equal(StatusCode.InvalidArgument, notDate.StatusCode);
        Assert.Contains("report.date", notDate.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, backwards.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
    }

    private static async Task<TransparencyReport> TodayAsync(GovernanceService.GovernanceServiceClient governance) =>
        (await governance.GetTransparencyReportAsync(new GetTransparencyReportRequest { FromDate = Day(DateOnly.FromDateTime(DateTime.UtcNow)) })).Report;

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
