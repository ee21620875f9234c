using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Governance;

/// <summary>
/// The known-benign list over real gRPC with real tokens and Redis: administrators list hashes, submissions that match
/// (exactly, or for PDQ within the entry's distance) are rejected per item, look-ups flag the match, changes are audited.
/// </summary>
public sealed class KnownBenignListTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task A_listed_hash_is_rejected_per_item_with_the_reason_and_flagged_in_lookups()
    {
        var governance = await GovernanceAsync();
        var member = await fixture.CreateSignalMemberAsync();
        var benign = RandomSha256();
        var abuse = RandomSha256();

        var added = await governance.AddBenignAsync(new AddBenignRequest { Signal = Ref(benign), Reason = "false positive: stock photo" });
        var response = await member.SubmitAsync(Sha256(benign), Sha256(abuse));
        var lookup = await member.Client.LookupAsync(new LookupRequest
        {
            Queries = { new LookupQuery { Type = SignalType.Sha256, Value = benign }, new LookupQuery { Type = SignalType.Sha256, Value = abuse } },
        });

        Assert.True(added.Created);
        Assert.Equal("sha256:" + benign.ToLowerInvariant(), added.Entry.SignalId);
        Assert.Equal(HubInstance.AdminId, added.Entry.AddedBy);
        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.Equal((int)StatusCode.FailedPrecondition, response.Results[0].Error.Code);
        Assert.Equal("items[0].value", response.Results[0].Error.Field);
        Assert.StartsWith("benign.listed:", response.Results[0].Error.Description);
        Assert.Contains("false positive: stock photo", response.Results[0].Error.Description);
        Assert.Equal(SubmitOutcome.Created, response.Results[1].Outcome);
        Assert.Equal(added.Entry.SignalId, lookup.Results[0].Benign.SignalId);
        Assert.Equal("false positive: stock photo", lookup.Results[0].Benign.Reason);
        Assert.Empty(lookup.Results[0].Matches);
        Assert.Null(lookup.Results[1].Benign);
        Assert.Single(lookup.Results[1].Matches);
    }

    [Fact]
    public async Task A_pdq_within_the_entry_distance_is_rejected_and_one_beyond_it_is_stored()
    {
        var governance = await GovernanceAsync();
        var member = await fixture.CreateSignalMemberAsync();
        var listed = RandomNumberGenerator.GetBytes(32);
        var near = Flip(listed, 5);
        var far = Flip(listed, 20);

        await governance.AddBenignAsync(new AddBenignRequest { Signal = Pdq(listed), Reason = "benign meme", MaxDistance = 10 });
        var response = await member.SubmitAsync(PdqItem(near), PdqItem(far));
        var lookup = await member.Client.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Pdq, Value = Convert.ToHexString(near) } } });

        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.Contains("PDQ distance 5", response.Results[0].Error.Description);
        Assert.Equal(SubmitOutcome.Created, response.Results[1].Outcome);
        Assert.Equal(5u, lookup.Results[0].Benign.Distance);
    }

    [Fact]
    public async Task Removing_an_entry_lets_the_hash_in_again_and_both_changes_are_in_the_verified_audit_log()
    {
        var governance = await GovernanceAsync();
        var admin = await fixture.Hub.AdminClientAsync();
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await governance.AddBenignAsync(new AddBenignRequest { Signal = Ref(value), Reason = "listed by mistake" });
        Assert.Equal(SubmitOutcome.Rejected, (await member.SubmitAsync(Sha256(value))).Results[0].Outcome);

        var removed = await governance.RemoveBenignAsync(new RemoveBenignRequest { Signal = Ref(value), Reason = "it is abuse after all" });
        var after = await member.SubmitAsync(Sha256(value));
        var audit = await admin.ListAuditEventsAsync(new ListAuditEventsRequest { PageSize = 1000 });
        var id = "sha256:" + value.ToLowerInvariant();

        Assert.Equal("listed by mistake", removed.Entry.Reason);
        Assert.Equal(SubmitOutcome.Created, after.Results[0].Outcome);
        Assert.True(audit.ChainVerified);
        Assert.Contains(audit.Events, e => e.Action == "benign.add" && e.Subject == id && e.Detail.Contains("reason=listed by mistake", StringComparison.Ordinal));
        Assert.Contains(audit.Events, e => e.Action == "benign.remove" && e.Subject == id && e.Detail == "reason=it is abuse after all");
    }

    [Fact]
    public async Task The_list_shows_every_entry_and_adding_again_updates_it()
    {
        var governance = await GovernanceAsync();
        var value = RandomSha256();
        await governance.AddBenignAsync(new AddBenignRequest { Signal = Ref(value), Reason = "first" });

        var again = await governance.AddBenignAsync(new AddBenignRequest { Signal = Ref(value), Reason = "second" });
        var list = await governance.ListBenignAsync(new ListBenignRequest());

        Assert.False(again.Created);
        var entry = Assert.Single(list.Entries, e => e.SignalId == "sha256:" + value.ToLowerInvariant());
        Assert.Equal("second", entry.Reason);
        Assert.Equal(SignalType.Sha256, entry.Type);
    }

    [Fact]
    public async Task A_member_token_is_refused_the_governance_service()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var asMember = new GovernanceService.GovernanceServiceClient(fixture.Hub.Invoker(await fixture.Hub.GetTokenAsync(id, secret)));

        var error = await Assert.ThrowsAsync<RpcException>(() => asMember.AddBenignAsync(new AddBenignRequest { Signal = Ref(RandomSha256()), Reason = "x" }).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task A_missing_reason_is_invalid_argument_and_removing_an_unlisted_hash_is_not_found()
    {
        var governance = await GovernanceAsync();

        var noReason = await Assert.ThrowsAsync<RpcException>(() => governance.AddBenignAsync(new AddBenignRequest { Signal = Ref(RandomSha256()), Reason = "  " }).ResponseAsync);
        var unlisted = await Assert.ThrowsAsync<RpcException>(() => governance.RemoveBenignAsync(new RemoveBenignRequest { Signal = Ref(RandomSha256()) }).ResponseAsync);
        var badValue = await Assert.ThrowsAsync<RpcException>(() => governance.AddBenignAsync(new AddBenignRequest { Signal = Ref("abc"), Reason = "x" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Contains("benign.reason", noReason.Status.Detail);
        Assert.Equal(StatusCode.NotFound, unlisted.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badValue.StatusCode);
    }

    private Task<GovernanceService.GovernanceServiceClient> GovernanceAsync() => fixture.GovernanceClientAsync();

    private static SignalRef Pdq(byte[] hash) => new() { Type = SignalType.Pdq, Value = Convert.ToHexString(hash) };

    private static SignalSubmission PdqItem(byte[] hash) => new() { Type = SignalType.Pdq, Value = Convert.ToHexString(hash), Quality = 90, Categories = { Category.Csam } };

    private static byte[] Flip(byte[] hash, int bits)
    {
        var copy = (byte[])hash.Clone();
        for (var i = 0; i < bits; i++)
        {
            copy[i] ^= 1;
        }

        return copy;
    }
}
