using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// The keyed (*_HMAC_SHA256) types through the real hub and Redis: key id rules per item, the key id as part of the
/// record's identity (the same value under two key ids is two records, matched only under its own key id), and the
/// feed, snapshot, opinions, retraction and stats for keyed records.
/// </summary>
public sealed class KeyedSignalTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Key_id_rules_are_enforced_per_item_while_the_rest_of_the_batch_is_stored()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var good = RandomSha256();

        var response = await member.SubmitAsync(
            Keyed(SignalType.AccountHmacSha256, "", RandomSha256()),
            Keyed(SignalType.AccountHmacSha256, "Key-A", RandomSha256()),
            Keyed(SignalType.AccountSha256, "k1", RandomSha256()),
            Keyed(SignalType.Vpdq, "k1", ""),
            Keyed(SignalType.AccountHmacSha256, "k1", good));

        Assert.Equal(4u, response.Summary.Rejected);
        foreach (var (index, rule) in new[] { (0, "key_id.missing"), (1, "key_id.format"), (2, "key_id.unexpected"), (3, "key_id.unexpected") })
        {
            var result = response.Results[index];
            Assert.Equal(SubmitOutcome.Rejected, result.Outcome);
            Assert.Equal((int)StatusCode.InvalidArgument, result.Error.Code);
            Assert.Equal($"items[{index}].key_id", result.Error.Field);
            Assert.StartsWith(rule + ":", result.Error.Description, StringComparison.Ordinal);
        }

        Assert.Equal(SubmitOutcome.Created, response.Results[4].Outcome);
        Assert.Equal($"account_hmac_sha256:k1:{good.ToLowerInvariant()}", response.Results[4].SignalId);
    }

    [Fact]
    public async Task The_same_value_under_two_key_ids_is_two_records_and_a_lookup_matches_only_its_own_key_id()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var other = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        var a = await member.SubmitAsync(Keyed(SignalType.UrlHmacSha256, "key-a", value));
        var b = await member.SubmitAsync(Keyed(SignalType.UrlHmacSha256, "key-b", value));
        var again = await other.SubmitAsync(Keyed(SignalType.UrlHmacSha256, "key-a", value));
        var results = (await other.Client.LookupAsync(new LookupRequest
        {
            Queries =
            {
                Query(SignalType.UrlHmacSha256, "key-a", value),
                Query(SignalType.UrlHmacSha256, "key-b", value),
                Query(SignalType.UrlHmacSha256, "key-c", value),
                Query(SignalType.UrlSha256, "", value),
                Query(SignalType.UrlHmacSha256, "", value),
            },
        })).Results;

        Assert.Equal(SubmitOutcome.Created, a.Results[0].Outcome);
        Assert.Equal(SubmitOutcome.Created, b.Results[0].Outcome);
        Assert.Equal(SubmitOutcome.Corroborated, again.Results[0].Outcome);
        var underA = Assert.Single(results[0].Matches).Signal;
        Assert.Equal($"url_hmac_sha256:key-a:{value.ToLowerInvariant()}", underA.Id);
        Assert.Equal(underA.Id, underA.RecordId);
        Assert.Equal(("key-a", SignalType.UrlHmacSha256, value.ToLowerInvariant()), (underA.KeyId, underA.Type, underA.Value));
        Assert.Equal(2u, underA.CorroborationCount);
        Assert.True(underA.ContributedByCaller);
        var underB = Assert.Single(results[1].Matches).Signal;
        Assert.Equal("key-b", underB.KeyId);
        Assert.Equal(1u, underB.CorroborationCount);
        Assert.False(underB.ContributedByCaller);
        Assert.Empty(results[2].Matches);
        Assert.Empty(results[3].Matches);
        Assert.Equal("queries[4].key_id", results[4].Error.Field);
        Assert.StartsWith("key_id.missing:", results[4].Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feed_and_snapshot_carry_keyed_records_with_their_key_id()
    {
        var submitter = await fixture.CreateSignalMemberAsync();
        var reader = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256().ToLowerInvariant();
        var filter = new SubscribeFilter { Types_ = { SignalType.PaymentHmacSha256 } };
        await using var live = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest(filter));

        await submitter.SubmitAsync(Keyed(SignalType.PaymentHmacSha256, "old", value), Keyed(SignalType.PaymentHmacSha256, "new", value),
            Sha256(RandomSha256()));
        await live.WaitUntilAsync(u => u.Count(x => x.Signal?.Value == value) == 2, "both keyed records");
        await using var snapshot = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Snapshot, Filter = filter });
        await snapshot.WaitUntilAsync(u => u.Any(x => x.Kind == UpdateKind.SnapshotEnd), "the end of the snapshot");

        var created = live.SignalUpdates.Where(x => x.Signal.Value == value).ToList();
        Assert.All(created, x => Assert.Equal(UpdateKind.Created, x.Kind));
        Assert.Equal(["new", "old"], created.Select(x => x.Signal.KeyId).Order());
        Assert.Equal([$"payment_hmac_sha256:new:{value}", $"payment_hmac_sha256:old:{value}"], created.Select(x => x.Signal.RecordId).Order());
        Assert.All(live.SignalUpdates, x => Assert.Equal(SignalType.PaymentHmacSha256, x.Signal.Type));
        var snapshotted = snapshot.SignalUpdates.Where(x => x.Kind == UpdateKind.Snapshot && x.Signal.Value == value).ToList();
        Assert.Equal(["new", "old"], snapshotted.Select(x => x.Signal.KeyId).Order());
    }

    [Fact]
    public async Task Opinions_and_retraction_name_a_keyed_record_by_its_key_id()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Keyed(SignalType.TextHmacSha256, "k1", value), Keyed(SignalType.TextHmacSha256, "k2", value));

        var opinion = await member.Client.SetOpinionAsync(new SetOpinionRequest { Signal = KeyedRef("k2", value), Opinion = Opinion.Confirmed });
        var retracted = (await member.Client.RetractAsync(new RetractRequest { Signal = KeyedRef("k1", value) })).Signal;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await member.Client.RetractAsync(new RetractRequest { Signal = KeyedRef("", value) }));
        var k1 = (await member.Client.LookupAsync(new LookupRequest { Queries = { Query(SignalType.TextHmacSha256, "k1", value) } })).Results[0];
        var k2 = (await member.Client.LookupAsync(new LookupRequest { Queries = { Query(SignalType.TextHmacSha256, "k2", value) } })).Results[0];

        Assert.Equal("k2", opinion.Signal.KeyId);
        Assert.Equal(1u, opinion.Signal.Opinions.Confirmed);
        Assert.Equal(("k1", SignalStatus.Retracted), (retracted.KeyId, retracted.Status));
        Assert.Equal(0u, retracted.Opinions.Confirmed);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("key_id.missing", error.Status.Detail, StringComparison.Ordinal);
        Assert.All(k1.Matches, m => Assert.NotEqual(SignalStatus.Active, m.Signal.Status));
        var active = Assert.Single(k2.Matches).Signal;
        Assert.Equal((SignalStatus.Active, 1u), (active.Status, active.Opinions.Confirmed));
    }

    [Fact]
    public async Task A_keyed_group_record_counts_under_its_kind_and_group_and_its_storage_key_holds_the_key_id()
    {
        var member = await fixture.CreateSignalMemberAsync(groups: ["kh-group"]);
        var value = RandomSha256();

        await member.SubmitAsync(Keyed(SignalType.AccountHmacSha256, "rot-1", value).InGroup("kh-group"));

        var signal = NormalizedSignal.FromRaw(SignalKind.AccountHmacSha256, "rot-1", Convert.FromHexString(value));
        var storageKey = SignalStorageKey.Create(signal, "kh-group");
        var partitions = fixture.Hub.Services.GetRequiredService<SignalStore>().PartitionCount;
        var stats = await fixture.RedisConnection.GetDatabase().HashGetAllAsync(RedisKeys.SignalStats(signal.Partition(partitions)));
        Assert.Equal(1 + 32 + 1 + 5 + 8, storageKey.Length);
        Assert.Equal((signal, "kh-group"), SignalStorageKey.Parse(storageKey));
        Assert.Equal("t12:kh-group", SignalStatFields.For(SignalStatFields.Created, storageKey));
        Assert.Contains(stats, e => e.Name == "t12:kh-group" && (long)e.Value >= 1);
        Assert.DoesNotContain(stats, e => e.Name.ToString().Contains("rot-1", StringComparison.Ordinal));
    }

    private static SignalSubmission Keyed(SignalType type, string keyId, string value) => new()
    {
        Type = type,
        KeyId = keyId,
        Value = value,
        Categories = { Category.Grooming },
    };

    private static LookupQuery Query(SignalType type, string keyId, string value) => new() { Type = type, KeyId = keyId, Value = value };

    private static SignalRef KeyedRef(string keyId, string value) => new() { Type = SignalType.TextHmacSha256, KeyId = keyId, Value = value };
}
