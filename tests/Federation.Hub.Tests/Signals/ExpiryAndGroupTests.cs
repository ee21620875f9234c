using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Contract;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>Expiry, sharing groups, the rate limit and the contract read API the feed uses.</summary>
public sealed class ExpiryAndGroupTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Expired_signal_leaves_lookups_and_the_sweep_puts_expired_on_the_feed()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value).WithExpiry(DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Single((await member.LookupOneAsync(SignalType.Sha256, value)).Matches);

        await WaitUntilAsync(async () => (await member.LookupOneAsync(SignalType.Sha256, value)).Matches.Count == 0,
            TimeSpan.FromSeconds(10), "the signal leaves lookups");
        var expired = await fixture.Hub.Services.GetRequiredService<SignalExpirySweeper>().SweepOnceAsync();
        var sweptAgain = await fixture.Hub.Services.GetRequiredService<SignalExpirySweeper>().SweepOnceAsync();

        Assert.True(expired >= 1);
        Assert.Equal(0, sweptAgain);
        Assert.Equal([(1, 1L), (6, 2L)], await fixture.FeedEntriesAsync(value));
        var record = await ReadRecordAsync(value);
        Assert.Equal(SignalState.Expired, record!.State);
    }

    [Fact]
    public async Task Default_retention_sets_the_expiry_and_a_later_expiry_extends_it()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        var later = DateTimeOffset.UtcNow.AddYears(3);

        var first = await member.SubmitAsync(Sha256(value));
        var extended = await member.SubmitAsync(Sha256(value).WithExpiry(later));
        var signal = (await member.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SubmitOutcome.Unchanged, extended.Results[0].Outcome);
        Assert.Equal(later.ToUnixTimeSeconds(), signal.ExpiresAt.Seconds, 1.0);
        Assert.Equal(SubmitOutcome.Created, first.Results[0].Outcome);
    }

    [Fact]
    public async Task Group_signal_is_visible_only_to_group_members()
    {
        var group = "fin-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var otherInsider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var outsider = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        var submitted = await insider.SubmitAsync(Sha256(value).InGroup(group));
        var seenByInsider = await otherInsider.LookupOneAsync(SignalType.Sha256, value);
        var seenByOutsider = await outsider.LookupOneAsync(SignalType.Sha256, value);

        Assert.Equal(SubmitOutcome.Created, submitted.Results[0].Outcome);
        Assert.Equal(group, Assert.Single(seenByInsider.Matches).Signal.SharingGroup);
        Assert.Empty(seenByOutsider.Matches);
    }

    [Fact]
    public async Task Same_hash_coalition_wide_and_in_a_group_are_two_records()
    {
        var group = "grp-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var outsider = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        var response = await insider.SubmitAsync(Sha256(value).InGroup(group), Sha256(value));

        Assert.All(response.Results, r => Assert.Equal(SubmitOutcome.Created, r.Outcome));
        Assert.Equal(2, (await insider.LookupOneAsync(SignalType.Sha256, value)).Matches.Count);
        Assert.Equal("", Assert.Single((await outsider.LookupOneAsync(SignalType.Sha256, value)).Matches).Signal.SharingGroup);
    }

    [Fact]
    public async Task Coalition_wide_and_group_records_of_one_hash_have_distinct_stable_record_ids()
    {
        var group = "grp-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var value = RandomSha256();
        var signalId = "sha256:" + value.ToLowerInvariant();

        var response = await insider.SubmitAsync(Sha256(value).InGroup(group), Sha256(value));
        var matches = (await insider.LookupOneAsync(SignalType.Sha256, value)).Matches;

        Assert.Equal([signalId + "@" + group, signalId], response.Results.Select(r => r.RecordId));
        Assert.Equal(
            new[] { signalId, signalId + "@" + group }.Order(),
            matches.Select(m => m.Signal.RecordId).Order());
        Assert.All(matches, m => Assert.Equal(signalId, m.Signal.Id));
    }

    [Fact]
    public async Task Submitting_to_a_group_the_caller_is_not_in_is_permission_denied_for_that_item()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var good = RandomSha256();

        var response = await member.SubmitAsync(Sha256(RandomSha256()).InGroup("not-mine"), Sha256(good));

        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.Equal((int)StatusCode.PermissionDenied, response.Results[0].Error.Code);
        Assert.Equal("items[0].sharing_group", response.Results[0].Error.Field);
        Assert.Equal(SubmitOutcome.Created, response.Results[1].Outcome);
    }

    [Fact]
    public async Task Group_signals_are_not_counted_in_statistics()
    {
        var group = "stat-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var admin = await fixture.Hub.AdminClientAsync();
        var before = await admin.GetStatsAsync(new GetStatsRequest());

        await insider.SubmitAsync(Sha256(RandomSha256()).InGroup(group));
        var after = await admin.GetStatsAsync(new GetStatsRequest());

        Assert.Equal(before.SignalsTotal, after.SignalsTotal);
    }

    [Fact]
    public async Task Over_the_rate_limit_submit_is_resource_exhausted_with_a_retry_delay()
    {
        await using var limited = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Signals:RateLimitPerSecond"] = "1",
            ["Federation:Signals:MaxBatchSize"] = "10",
        });
        var member = await fixture.CreateSignalMemberAsync(hub: limited);
        var batch = Enumerable.Range(0, 10).Select(_ => Sha256(RandomSha256())).ToArray();
        await member.SubmitAsync(batch);

        var error = await Assert.ThrowsAsync<RpcException>(() => member.SubmitAsync(Sha256(RandomSha256()), Sha256(RandomSha256())));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("retry this batch after", error.Status.Detail, StringComparison.Ordinal);
        var retryAfter = long.Parse(error.Trailers.GetValue("retry-after-ms")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 2000);
    }

    [Fact]
    public async Task Store_reads_records_by_storage_key_and_scans_active_ones_for_the_feed()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var active = RandomSha256();
        var retracted = RandomSha256();
        await member.SubmitAsync(Sha256(active, Category.Trafficking), Sha256(retracted));
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(retracted) });
        var store = fixture.Hub.Services.GetRequiredService<SignalStore>();
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(active));
        var partition = signal.Partition(store.PartitionCount);

        var records = await store.GetByStorageKeysAsync(partition, [SignalStorageKey.Create(signal, ""), SignalStorageKey.Create(signal, "nope")]);
        var scanned = new List<SignalRecord>();
        for (var p = 0; p < store.PartitionCount; p++)
        {
            await foreach (var record in store.ScanActiveAsync(p, CancellationToken.None))
            {
                scanned.Add(record);
            }
        }

        Assert.Equal(signal, records[0]!.Signal);
        Assert.Equal(CategorySet.Of(SignalCategory.Trafficking), records[0]!.Categories);
        Assert.Null(records[1]);
        Assert.Equal("sha256:" + active.ToLowerInvariant(), records[0]!.ToContract().Id);
        Assert.Contains(scanned, r => r.Signal == signal);
        Assert.DoesNotContain(scanned, r => string.Equals(r.Signal.ToHex(), retracted, StringComparison.OrdinalIgnoreCase));
        Assert.All(scanned, r => Assert.Equal(SignalState.Active, r.State));
    }

    private async Task<SignalRecord?> ReadRecordAsync(string sha256)
    {
        var store = fixture.Hub.Services.GetRequiredService<SignalStore>();
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(sha256));
        return (await store.GetByStorageKeysAsync(signal.Partition(store.PartitionCount), [SignalStorageKey.Create(signal, "")]))[0];
    }
}
