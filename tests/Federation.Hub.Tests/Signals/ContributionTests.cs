using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>Opinions and retraction: one opinion per member, changeable; a member retracts only its own contribution.</summary>
public sealed class ContributionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Opinion_is_set_changed_and_withdrawn_with_a_feed_entry_each_time()
    {
        var submitter = await fixture.CreateSignalMemberAsync();
        var reviewer = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await submitter.SubmitAsync(Sha256(value));

        var set = await reviewer.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.Confirmed });
        var again = await reviewer.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.Confirmed });
        var changed = await reviewer.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.FalsePositive });
        var seen = (await reviewer.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;
        var withdrawn = await reviewer.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.Unspecified });

        Assert.True(set.Changed);
        Assert.Equal(1u, set.Signal.Opinions.Confirmed);
        Assert.Equal(Opinion.Confirmed, set.Signal.CallerOpinion);
        Assert.False(set.Signal.ContributedByCaller);
        Assert.False(again.Changed);
        Assert.True(changed.Changed);
        Assert.Equal(0u, changed.Signal.Opinions.Confirmed);
        Assert.Equal(1u, changed.Signal.Opinions.FalsePositive);
        Assert.Equal(Opinion.FalsePositive, seen.CallerOpinion);
        Assert.True(withdrawn.Changed);
        Assert.Equal(0u, withdrawn.Signal.Opinions.FalsePositive);
        Assert.Equal([(1, 1L), (3, 2L), (3, 3L), (3, 4L)], await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task Opinions_of_several_members_are_counted_separately()
    {
        var submitter = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await submitter.SubmitAsync(Sha256(value));

        await submitter.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.Confirmed });
        var second = await (await fixture.CreateSignalMemberAsync()).Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(value), Opinion = Opinion.Disputed });

        Assert.Equal(1u, second.Signal.Opinions.Confirmed);
        Assert.Equal(1u, second.Signal.Opinions.Disputed);
    }

    [Fact]
    public async Task Opinion_on_an_unknown_signal_is_not_found()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            member.Client.SetOpinionAsync(new SetOpinionRequest { Signal = Ref(RandomSha256()), Opinion = Opinion.Confirmed }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Retracting_the_only_contribution_retracts_the_signal_and_removes_it_from_lookups()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value));

        var retracted = await member.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });
        var lookup = await member.LookupOneAsync(SignalType.Sha256, value);

        Assert.Equal(SignalStatus.Retracted, retracted.Signal.Status);
        Assert.Equal(0u, retracted.Signal.CorroborationCount);
        Assert.Empty(lookup.Matches);
        Assert.Equal([(1, 1L), (5, 2L)], await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task Retracting_one_of_two_contributions_withdraws_it_and_recomputes_categories()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await first.SubmitAsync(Sha256(value, Category.Csam));
        await second.SubmitAsync(Sha256(value, Category.Grooming));

        var response = await second.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });
        var seenBySecond = (await second.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SignalStatus.Active, response.Signal.Status);
        Assert.Equal(1u, response.Signal.CorroborationCount);
        Assert.Equal([Category.Csam], response.Signal.Categories);
        Assert.False(seenBySecond.ContributedByCaller);
        Assert.Equal([(1, 1L), (2, 2L), (4, 3L)], await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task Retracting_someone_elses_signal_is_failed_precondition_and_changes_nothing()
    {
        var owner = await fixture.CreateSignalMemberAsync();
        var other = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await owner.SubmitAsync(Sha256(value));

        var error = await Assert.ThrowsAsync<RpcException>(() => other.Client.RetractAsync(new RetractRequest { Signal = Ref(value) }).ResponseAsync);
        var signal = (await owner.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("only its own contribution", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1u, signal.CorroborationCount);
        Assert.Equal(SignalStatus.Active, signal.Status);
        Assert.Single(await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task Retracting_an_unknown_signal_is_not_found()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => member.Client.RetractAsync(new RetractRequest { Signal = Ref(RandomSha256()) }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Retracting_twice_is_failed_precondition()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value));
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });

        var error = await Assert.ThrowsAsync<RpcException>(() => member.Client.RetractAsync(new RetractRequest { Signal = Ref(value) }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("RETRACTED", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resubmitting_a_retracted_signal_revives_it_with_a_higher_version()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value));
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });

        var again = await member.SubmitAsync(Sha256(value));
        var signal = (await member.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SubmitOutcome.Created, again.Results[0].Outcome);
        Assert.Equal(3ul, signal.Version);
        Assert.Equal(SignalStatus.Active, signal.Status);
    }
}
