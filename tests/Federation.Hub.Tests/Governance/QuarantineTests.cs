using Federation.Contracts.V1;
using Federation.Hub.Governance;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Governance;

/// <summary>
/// Quarantine and overturn over real gRPC with real tokens and Redis, with the default policy (2 disputes making at
/// least half of the opinions quarantine; 3 false positives overturn): who still sees a quarantined signal, what the
/// feed says, what administrators can do, and that every step is audited and counted.
/// </summary>
public sealed class QuarantineTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Two_disputes_quarantine_a_signal_for_everyone_but_its_contributors_and_administrators()
    {
        var (value, contributor, disputers) = await DisputedAsync(disputers: 2);
        var bystander = await fixture.CreateSignalMemberAsync();
        var administrator = await fixture.CreateAdministratorMemberAsync();

        var seenByBystander = await bystander.LookupOneAsync(SignalType.Sha256, value);
        var seenByContributor = await contributor.LookupOneAsync(SignalType.Sha256, value);
        var seenByAdministrator = await administrator.LookupOneAsync(SignalType.Sha256, value);
        var seenByDisputer = await disputers[0].LookupOneAsync(SignalType.Sha256, value);
        var listed = await (await fixture.GovernanceClientAsync()).ListQuarantinedAsync(new ListQuarantinedRequest());
        var stats = await (await fixture.Hub.AdminClientAsync()).GetStatsAsync(new GetStatsRequest());
        var audit = await (await fixture.Hub.AdminClientAsync()).ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1000 });
        var id = "sha256:" + value.ToLowerInvariant();

        Assert.Empty(seenByBystander.Matches);
        Assert.Empty(seenByDisputer.Matches);
        Assert.Equal(SignalStatus.Quarantined, Assert.Single(seenByContributor.Matches).Signal.Status);
        Assert.True(seenByContributor.Matches[0].Signal.ContributedByCaller);
        Assert.Equal(SignalStatus.Quarantined, Assert.Single(seenByAdministrator.Matches).Signal.Status);
        var entry = Assert.Single(listed.Signals, s => s.Signal.Id == id);
        Assert.Equal(QuarantineTrigger.Disputes, entry.Trigger);
        Assert.Equal(2u, entry.Signal.Opinions.Disputed + entry.Signal.Opinions.FalsePositive);
        Assert.True(stats.QuarantinedSignals >= 1 && stats.QuarantinesTotal >= stats.QuarantinedSignals);
        Assert.Contains(audit.Events, e => e.Action == "signal.quarantine" && e.Subject == id && e.Actor == "policy" && e.Detail.StartsWith("trigger=disputes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disputed_signals_are_listed_most_disputed_first_whether_quarantined_or_not()
    {
        var once = RandomSha256();
        await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(once));
        await (await fixture.CreateSignalMemberAsync()).OpinionAsync(once, Opinion.Disputed);
        var (twice, _, _) = await DisputedAsync(disputers: 2);
        var withdrawn = RandomSha256();
        await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(withdrawn));
        var changedMind = await fixture.CreateSignalMemberAsync();
        await changedMind.OpinionAsync(withdrawn, Opinion.Disputed);
        await changedMind.OpinionAsync(withdrawn, Opinion.Confirmed);

        var listed = await (await fixture.GovernanceClientAsync()).ListDisputedAsync(new ListDisputedRequest());
        var atLeastTwo = await (await fixture.GovernanceClientAsync()).ListDisputedAsync(new ListDisputedRequest { MinDisputes = 2 });
        var ids = listed.Signals.Select(s => s.Id).ToList();

        var first = ids.IndexOf("sha256:" + twice.ToLowerInvariant());
        var second = ids.IndexOf("sha256:" + once.ToLowerInvariant());
        Assert.True(first >= 0 && second > first, string.Join(", ", ids));
        Assert.Equal(SignalStatus.Quarantined, listed.Signals[first].Status);
        Assert.Equal(SignalStatus.Active, listed.Signals[second].Status);
        Assert.DoesNotContain("sha256:" + withdrawn.ToLowerInvariant(), ids);
        Assert.Contains(atLeastTwo.Signals, s => s.Id == "sha256:" + twice.ToLowerInvariant());
        Assert.DoesNotContain(atLeastTwo.Signals, s => s.Id == "sha256:" + once.ToLowerInvariant());
    }

    [Fact]
    public async Task Confirmations_from_others_hold_the_policy_back()
    {
        var value = RandomSha256();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        foreach (var opinion in new[] { Opinion.Confirmed, Opinion.Confirmed, Opinion.Confirmed, Opinion.Disputed, Opinion.Disputed })
        {
            await (await fixture.CreateSignalMemberAsync()).OpinionAsync(value, opinion);
        }

        var seen = await (await fixture.CreateSignalMemberAsync()).LookupOneAsync(SignalType.Sha256, value);

        Assert.Equal(SignalStatus.Active, Assert.Single(seen.Matches).Signal.Status);
    }

    [Fact]
    public async Task The_feed_sends_one_quarantined_update_then_nothing_until_the_release_which_carries_the_whole_record()
    {
        var watcher = await fixture.CreateSignalMemberAsync();
        using var stream = watcher.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest });
        await NextAsync(stream, u => u.Kind == UpdateKind.Live);

        var (value, contributor, _) = await DisputedAsync(disputers: 2);
        var id = "sha256:" + value.ToLowerInvariant();
        var quarantined = await NextAsync(stream, u => u.Signal?.Id == id && u.Kind != UpdateKind.Created && u.Kind != UpdateKind.OpinionChanged);
        await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(value, Category.Grooming)); // corroborates: withheld
        var released = await (await fixture.GovernanceClientAsync()).ReleaseSignalAsync(new ReleaseSignalRequest { Signal = Ref(value), Reason = "reviewed: it is abuse" });
        var next = await NextAsync(stream, u => u.Signal?.Id == id);
        var snapshotAfter = await SnapshotIdsAsync(watcher);

        Assert.Equal(UpdateKind.Quarantined, quarantined.Kind);
        Assert.Equal(SignalStatus.Quarantined, quarantined.Signal.Status);
        Assert.Equal(UpdateKind.Released, next.Kind);
        Assert.Equal(SignalStatus.Active, next.Signal.Status);
        Assert.Equal(2u, next.Signal.CorroborationCount);
        Assert.Equal(SignalStatus.Active, released.Signal.Status);
        Assert.Contains(id, snapshotAfter);
        _ = contributor;
    }

    [Fact]
    public async Task A_snapshot_leaves_quarantined_signals_out()
    {
        var (value, _, _) = await DisputedAsync(disputers: 2);

        var ids = await SnapshotIdsAsync(await fixture.CreateSignalMemberAsync());

        Assert.DoesNotContain("sha256:" + value.ToLowerInvariant(), ids);
    }

    [Fact]
    public async Task A_released_signal_is_not_quarantined_again_by_later_disputes()
    {
        var (value, _, _) = await DisputedAsync(disputers: 2);
        var governance = await fixture.GovernanceClientAsync();
        await governance.ReleaseSignalAsync(new ReleaseSignalRequest { Signal = Ref(value), Reason = "reviewed" });

        await (await fixture.CreateSignalMemberAsync()).OpinionAsync(value, Opinion.Disputed);
        var seen = await (await fixture.CreateSignalMemberAsync()).LookupOneAsync(SignalType.Sha256, value);
        var again = await Assert.ThrowsAsync<RpcException>(() => governance.ReleaseSignalAsync(new ReleaseSignalRequest { Signal = Ref(value), Reason = "twice" }).ResponseAsync);

        Assert.Equal(SignalStatus.Active, Assert.Single(seen.Matches).Signal.Status);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("not quarantined", again.Status.Detail);
    }

    [Fact]
    public async Task Three_false_positives_overturn_a_signal_and_it_cannot_be_submitted_again()
    {
        var watcher = await fixture.CreateSignalMemberAsync();
        using var stream = watcher.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Latest });
        await NextAsync(stream, u => u.Kind == UpdateKind.Live);
        var value = RandomSha256();
        var id = "sha256:" + value.ToLowerInvariant();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        for (var i = 0; i < 3; i++)
        {
            await (await fixture.CreateSignalMemberAsync()).OpinionAsync(value, Opinion.FalsePositive);
        }

        var overturned = await NextAsync(stream, u => u.Signal?.Id == id && u.Kind == UpdateKind.Overturned);
        var resubmitted = await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(value));
        var seen = await contributor.LookupOneAsync(SignalType.Sha256, value);
        var audit = await (await fixture.Hub.AdminClientAsync()).ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1000 });

        Assert.Equal(SignalStatus.Overturned, overturned.Signal.Status);
        Assert.Equal(SubmitOutcome.Rejected, resubmitted.Results[0].Outcome);
        Assert.Equal((int)StatusCode.FailedPrecondition, resubmitted.Results[0].Error.Code);
        Assert.StartsWith("signal.overturned:", resubmitted.Results[0].Error.Description);
        Assert.Empty(seen.Matches);
        Assert.Contains(audit.Events, e => e.Action == "signal.overturn" && e.Subject == id && e.Detail.StartsWith("cause=false_positive_quorum", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_administrator_overturns_a_signal_with_a_reason_and_can_list_it_as_benign()
    {
        var value = RandomSha256();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        var governance = await fixture.GovernanceClientAsync();

        var overturned = await governance.OverturnSignalAsync(new OverturnSignalRequest { Signal = Ref(value), Reason = "stock photo", AddToBenign = true });
        var benign = await governance.ListBenignAsync(new ListBenignRequest());
        var again = await Assert.ThrowsAsync<RpcException>(() => governance.OverturnSignalAsync(new OverturnSignalRequest { Signal = Ref(value), Reason = "twice" }).ResponseAsync);
        var stats = await (await fixture.Hub.AdminClientAsync()).GetStatsAsync(new GetStatsRequest());

        Assert.Equal(SignalStatus.Overturned, overturned.Signal.Status);
        Assert.Contains(benign.Entries, e => e.SignalId == "sha256:" + value.ToLowerInvariant() && e.Reason == "overturned: stock photo");
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("OVERTURNED", again.Status.Detail);
        Assert.True(stats.OverturnedTotal >= 1);
    }

    [Fact]
    public async Task An_administrator_quarantines_by_hand_and_bad_requests_get_clear_statuses()
    {
        var value = RandomSha256();
        await (await fixture.CreateSignalMemberAsync()).SubmitAsync(Sha256(value));
        var governance = await fixture.GovernanceClientAsync();

        var quarantined = await governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(value), Reason = "under review" });
        var twice = await Assert.ThrowsAsync<RpcException>(() => governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(value), Reason = "again" }).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(RandomSha256()), Reason = "x" }).ResponseAsync);
        var noReason = await Assert.ThrowsAsync<RpcException>(() => governance.ReleaseSignalAsync(new ReleaseSignalRequest { Signal = Ref(value), Reason = " " }).ResponseAsync);
        var (memberId, secret) = await fixture.CreateMemberAsync();
        var asMember = new GovernanceService.GovernanceServiceClient(fixture.Hub.Invoker(await fixture.Hub.GetTokenAsync(memberId, secret)));
        var denied = await Assert.ThrowsAsync<RpcException>(() => asMember.ListQuarantinedAsync(new ListQuarantinedRequest()).ResponseAsync);
        var listed = await governance.ListQuarantinedAsync(new ListQuarantinedRequest());

        Assert.Equal(SignalStatus.Quarantined, quarantined.Signal.Status);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Contains("governance.reason", noReason.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var entry = Assert.Single(listed.Signals, s => s.Signal.Id == "sha256:" + value.ToLowerInvariant());
        Assert.Equal(QuarantineTrigger.Administrator, entry.Trigger);
        Assert.Equal("under review", entry.Reason);
    }

    // A signal one member submitted and `disputers` others disputed (the last one a false positive).
    private async Task<(string Value, Signals.SignalMember Contributor, List<Signals.SignalMember> Disputers)> DisputedAsync(int disputers)
    {
        var value = RandomSha256();
        var contributor = await fixture.CreateSignalMemberAsync();
        await contributor.SubmitAsync(Sha256(value));
        var members = new List<Signals.SignalMember>();
        for (var i = 0; i < disputers; i++)
        {
            var member = await fixture.CreateSignalMemberAsync();
            await member.OpinionAsync(value, i == disputers - 1 ? Opinion.FalsePositive : Opinion.Disputed);
            members.Add(member);
        }

        return (value, contributor, members);
    }

    private static async Task<SignalUpdate> NextAsync(AsyncServerStreamingCall<SubscribeResponse> stream, Func<SignalUpdate, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await stream.ResponseStream.MoveNext(timeout.Token))
        {
            if (wanted(stream.ResponseStream.Current.Update))
            {
                return stream.ResponseStream.Current.Update;
            }
        }

        throw new InvalidOperationException("The stream ended before the update came.");
    }

    private static async Task<HashSet<string>> SnapshotIdsAsync(Signals.SignalMember member)
    {
        using var stream = member.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Snapshot });
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await stream.ResponseStream.MoveNext(timeout.Token) && stream.ResponseStream.Current.Update.Kind != UpdateKind.SnapshotEnd)
        {
            ids.Add(stream.ResponseStream.Current.Update.Signal.Id);
        }

        return ids;
    }
}

/// <summary>A hub whose match-rate rule quarantines a signal at its third match in an hour.</summary>
public sealed class MatchRateHubFixture : HubFixture
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Federation:Governance:Quarantine:MaxMatchesPerHour"] = "3",
    };
}

/// <summary>The match-rate rule: counted per replica, added up in Redis, quarantined at the limit.</summary>
public sealed class MatchRateQuarantineTests(MatchRateHubFixture fixture) : IClassFixture<MatchRateHubFixture>
{
    [Fact]
    public async Task A_signal_matched_as_often_as_the_limit_is_quarantined_by_the_match_rate_rule()
    {
        var value = RandomSha256();
        var other = RandomSha256();
        var member = await fixture.CreateSignalMemberAsync();
        await member.SubmitAsync(Sha256(value), Sha256(other));
        var looker = await fixture.CreateSignalMemberAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Single((await looker.LookupOneAsync(SignalType.Sha256, value)).Matches);
        }

        Assert.Single((await looker.LookupOneAsync(SignalType.Sha256, other)).Matches);
        var monitor = fixture.Hub.Services.GetRequiredService<MatchRateMonitor>();
        await monitor.FlushAsync();
        var listed = await (await fixture.GovernanceClientAsync()).ListQuarantinedAsync(new ListQuarantinedRequest());

        var entry = Assert.Single(listed.Signals, s => s.Signal.Id == "sha256:" + value.ToLowerInvariant());
        Assert.Equal(QuarantineTrigger.MatchRate, entry.Trigger);
        Assert.DoesNotContain(listed.Signals, s => s.Signal.Id == "sha256:" + other.ToLowerInvariant());
        Assert.Empty((await looker.LookupOneAsync(SignalType.Sha256, value)).Matches);
    }
}
