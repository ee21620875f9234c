using Federation.Contracts.V1;
using Federation.Hub.Governance;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Governance;

/// <summary>
/// Appeal propagation over real gRPC with real tokens and Redis: members record what they did on the strength of a
/// signal; when it is overturned or retracted by every contributor, each of them (and nobody else) gets a notice with its
/// own references, resumable by cursor and written once however many dispatch rounds race.
/// </summary>
public sealed class AppealPropagationTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task An_overturn_tells_each_member_that_acted_its_own_references_and_nobody_else()
    {
        var value = RandomSha256();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        var actor = await fixture.CreateSignalMemberAsync();
        var other = await fixture.CreateSignalMemberAsync();
        var bystander = await fixture.CreateSignalMemberAsync();
        await RecordAsync(actor, value, ActionKind.ContentRemoved, "case-17");
        var second = await RecordAsync(actor, value, ActionKind.ReportedToHotline, "cybertip-9");
        await RecordAsync(other, value, ActionKind.AccountActioned, "ticket-4");

        var overturned = await (await fixture.GovernanceClientAsync()).OverturnSignalAsync(new OverturnSignalRequest { Signal = Ref(value), Reason = "stock photo, not abuse" });
        var forActor = await NoticesAsync(actor, "", expected: 1);
        var forOther = await NoticesAsync(other, "", expected: 1);
        var forBystander = await NoticesAsync(bystander, "", expected: 0);

        Assert.Equal(2, second.Actions.Count);
        Assert.Equal(2u, overturned.ActingMembers);
        var notice = Assert.Single(forActor);
        Assert.Equal("sha256:" + value.ToLowerInvariant(), notice.RecordId);
        Assert.Equal(OverturnCause.Administrator, notice.Cause);
        Assert.Equal("stock photo, not abuse", notice.Reason);
        Assert.Equal(["case-17", "cybertip-9"], notice.Actions.Select(a => a.Reference));
        Assert.Equal([ActionKind.ContentRemoved, ActionKind.ReportedToHotline], notice.Actions.Select(a => a.Kind));
        Assert.Equal(["ticket-4"], Assert.Single(forOther).Actions.Select(a => a.Reference));
        Assert.Empty(forBystander);
    }

    [Fact]
    public async Task Retraction_by_every_contributor_sends_a_notice_and_a_cursor_resumes_without_repeating()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var contributor = await fixture.CreateSignalMemberAsync();
        var first = RandomSha256();
        var second = RandomSha256();
        await contributor.SubmitAsync(Sha256(first), Sha256(second));
        await RecordAsync(member, first, ActionKind.ContentRemoved, "r-1");
        await RecordAsync(member, second, ActionKind.ContentRemoved, "r-2");

        await contributor.Client.RetractAsync(new RetractRequest { Signal = Ref(first) });
        var one = Assert.Single(await NoticesAsync(member, "", expected: 1));
        await contributor.Client.RetractAsync(new RetractRequest { Signal = Ref(second) });
        var resumed = await NoticesAsync(member, one.Cursor, expected: 1);

        Assert.Equal(OverturnCause.Retracted, one.Cause);
        Assert.Equal("r-1", Assert.Single(one.Actions).Reference);
        var next = Assert.Single(resumed);
        Assert.Equal("sha256:" + second.ToLowerInvariant(), next.RecordId);
    }

    [Fact]
    public async Task Racing_dispatch_rounds_write_each_notice_once()
    {
        var value = RandomSha256();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        var member = await fixture.CreateSignalMemberAsync();
        await RecordAsync(member, value, ActionKind.Other, "x-1");
        var dispatcher = fixture.Hub.Services.GetRequiredService<AppealDispatcher>();

        await contributor.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => dispatcher.DispatchAsync(CancellationToken.None)));
        var notices = await NoticesAsync(member, "", expected: 1);
        var audit = await (await fixture.Hub.AdminClientAsync()).ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1000 });

        Assert.Single(notices);
        Assert.Single(audit.Events, e => e.Action == "appeal.notify" && e.Subject == "sha256:" + value.ToLowerInvariant());
        Assert.Contains(audit.Events, e => e.Action == "action.record" && e.Actor == member.Id && !e.Detail.Contains("x-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_actions_get_clear_statuses_and_a_repeat_changes_nothing()
    {
        var value = RandomSha256();
        await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(value));
        var member = await fixture.CreateSignalMemberAsync();

        var noKind = await Assert.ThrowsAsync<RpcException>(() => member.Client.RecordActionAsync(new RecordActionRequest { Signal = Ref(value), Reference = "a" }).ResponseAsync);
        var noReference = await Assert.ThrowsAsync<RpcException>(() => member.Client.RecordActionAsync(new RecordActionRequest { Signal = Ref(value), Kind = ActionKind.Other, Reference = "" }).ResponseAsync);
        var control = await Assert.ThrowsAsync<RpcException>(() => member.Client.RecordActionAsync(new RecordActionRequest { Signal = Ref(value), Kind = ActionKind.Other, Reference = "a\nb" }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => member.Client.RecordActionAsync(new RecordActionRequest { Signal = Ref(RandomSha256()), Kind = ActionKind.Other, Reference = "a" }).ResponseAsync);
        var badCursor = await Assert.ThrowsAsync<RpcException>(() => NoticesAsync(member, "not-a-cursor", expected: 0));
        var first = await RecordAsync(member, value, ActionKind.Other, "same");
        var repeat = await RecordAsync(member, value, ActionKind.Other, "same");

        Assert.Equal(StatusCode.InvalidArgument, noKind.StatusCode);
        Assert.Contains("action.kind", noKind.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noReference.StatusCode);
        Assert.Contains("action.reference", noReference.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, control.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badCursor.StatusCode);
        Assert.True(first.Created);
        Assert.False(repeat.Created);
        Assert.Single(repeat.Actions);
    }

    [Fact]
    public async Task Suspending_a_member_ends_its_open_notice_stream_with_permission_denied()
    {
        var member = await fixture.CreateSignalMemberAsync();
        using var stream = member.Client.WatchNotices(new WatchNoticesRequest());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.True(await stream.ResponseStream.MoveNext(timeout.Token));
        Assert.True(stream.ResponseStream.Current.Live);

        await (await fixture.Hub.AdminClientAsync()).SuspendMemberAsync(new SuspendMemberRequest { MemberId = member.Id, Reason = "test" });
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext(timeout.Token))
            {
            }
        });

        Assert.Equal(StatusCode.PermissionDenied, ended.StatusCode);
    }

    private static async Task<RecordActionResponse> RecordAsync(Signals.SignalMember member, string value, ActionKind kind, string reference) =>
        await member.Client.RecordActionAsync(new RecordActionRequest { Signal = Ref(value), Kind = kind, Reference = reference });

    // Reads the member's notice stream until `expected` notices came after the live marker's backlog, or 15 s passed
    // (expected 0: the backlog up to the live marker, plus two more seconds of nothing).
    private static async Task<List<OverturnNotice>> NoticesAsync(Signals.SignalMember member, string cursor, int expected)
    {
        var notices = new List<OverturnNotice>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(expected == 0 ? 4 : 15));
        using var stream = member.Client.WatchNotices(new WatchNoticesRequest { Cursor = cursor }, cancellationToken: timeout.Token);
        try
        {
            while (await stream.ResponseStream.MoveNext(timeout.Token))
            {
                if (stream.ResponseStream.Current.Notice is { } notice)
                {
                    notices.Add(notice);
                }

                if (expected > 0 && notices.Count >= expected)
                {
                    break;
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // The wait for more is over.
        }

        return notices;
    }
}
