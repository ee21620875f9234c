using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Governance;

/// <summary>
/// Confidence (0-100) and TLP 2.0 share level per contribution: stored with the record, aggregated over contributions
/// (highest confidence, least restrictive level), RED refused per item, and the feed and look-up filters that take them.
/// </summary>
public sealed class ConfidenceAndShareLevelTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Labels_of_a_contribution_are_returned_by_lookup_and_unstated_ones_read_as_green_without_confidence()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var labelled = RandomSha256();
        var plain = RandomSha256();

        var response = await member.SubmitAsync(Labelled(labelled, 85, ShareLevel.Amber), Sha256(plain));
        var a = (await member.LookupOneAsync(SignalType.Sha256, labelled)).Matches[0].Signal;
        var b = (await member.LookupOneAsync(SignalType.Sha256, plain)).Matches[0].Signal;

        Assert.Equal(0u, response.Summary.Rejected);
        Assert.True(a.HasConfidence);
        Assert.Equal(85u, a.Confidence);
        Assert.Equal(ShareLevel.Amber, a.ShareLevel);
        Assert.False(b.HasConfidence);
        Assert.Equal(ShareLevel.Green, b.ShareLevel);
    }

    [Fact]
    public async Task Red_and_a_confidence_over_100_are_rejected_per_item_while_the_rest_of_the_batch_is_stored()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var red = RandomSha256();
        var tooSure = RandomSha256();
        var good = RandomSha256();

        var response = await member.SubmitAsync(Labelled(red, 50, ShareLevel.Red), Labelled(tooSure, 101, ShareLevel.Green), Labelled(good, 100, ShareLevel.Clear));

        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[0].Error.Code);
        Assert.Equal("items[0].share_level", response.Results[0].Error.Field);
        Assert.StartsWith("share_level.red:", response.Results[0].Error.Description);
        Assert.Contains("named recipients", response.Results[0].Error.Description);
        Assert.Equal(SubmitOutcome.Rejected, response.Results[1].Outcome);
        Assert.Equal("items[1].confidence", response.Results[1].Error.Field);
        Assert.StartsWith("confidence.range:", response.Results[1].Error.Description);
        Assert.Equal(SubmitOutcome.Created, response.Results[2].Outcome);
        Assert.Empty((await member.LookupOneAsync(SignalType.Sha256, red)).Matches);
        Assert.Equal(ShareLevel.Clear, (await member.LookupOneAsync(SignalType.Sha256, good)).Matches[0].Signal.ShareLevel);
    }

    [Fact]
    public async Task An_unknown_share_level_is_rejected_for_the_item()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var response = await member.SubmitAsync(Labelled(RandomSha256(), null, (ShareLevel)9));

        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.StartsWith("share_level.unknown:", response.Results[0].Error.Description);
    }

    [Fact]
    public async Task The_record_carries_the_highest_confidence_and_the_least_restrictive_level_and_recomputes_them_on_withdrawal()
    {
        var green = await fixture.CreateSignalMemberAsync();
        var amber = await fixture.CreateSignalMemberAsync();
        var strict = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        await amber.SubmitAsync(Labelled(value, 90, ShareLevel.Amber));
        await green.SubmitAsync(Labelled(value, 40, ShareLevel.Unspecified));
        await strict.SubmitAsync(Labelled(value, null, ShareLevel.AmberStrict));
        var three = (await green.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;
        var afterGreen = (await green.Client.RetractAsync(new RetractRequest { Signal = Ref(value) })).Signal;
        var afterAmber = (await amber.Client.RetractAsync(new RetractRequest { Signal = Ref(value) })).Signal;

        Assert.Equal(3u, three.CorroborationCount);
        Assert.Equal(90u, three.Confidence);
        Assert.Equal(ShareLevel.Green, three.ShareLevel);
        Assert.Equal(90u, afterGreen.Confidence);
        Assert.Equal(ShareLevel.Amber, afterGreen.ShareLevel);
        Assert.False(afterAmber.HasConfidence);
        Assert.Equal(ShareLevel.AmberStrict, afterAmber.ShareLevel);
    }

    [Fact]
    public async Task A_repeat_submission_keeps_the_first_labels_of_the_contribution()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var inline = RandomSha256();
        var overflow = RandomSha256();
        await first.SubmitAsync(Labelled(inline, 80, ShareLevel.Amber), Labelled(overflow, 80, ShareLevel.Amber));
        await second.SubmitAsync(Labelled(overflow, 30, ShareLevel.AmberStrict));

        var repeat = await first.SubmitAsync(Labelled(inline, 10, ShareLevel.Clear), Labelled(overflow, 10, ShareLevel.Clear));
        await second.Client.RetractAsync(new RetractRequest { Signal = Ref(overflow) });
        var a = (await first.LookupOneAsync(SignalType.Sha256, inline)).Matches[0].Signal;
        var b = (await first.LookupOneAsync(SignalType.Sha256, overflow)).Matches[0].Signal;

        Assert.All(repeat.Results, r => Assert.Equal(SubmitOutcome.Unchanged, r.Outcome));
        Assert.Equal((80u, ShareLevel.Amber), (a.Confidence, a.ShareLevel));
        Assert.Equal((80u, ShareLevel.Amber), (b.Confidence, b.ShareLevel));
    }

    [Fact]
    public async Task A_retracted_signal_revived_by_a_new_submission_takes_the_new_labels()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Labelled(value, 70, ShareLevel.AmberStrict));
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });

        var revived = await member.SubmitAsync(Labelled(value, 20, ShareLevel.Clear));
        var signal = (await member.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SubmitOutcome.Created, revived.Results[0].Outcome);
        Assert.Equal((20u, ShareLevel.Clear), (signal.Confidence, signal.ShareLevel));
    }

    [Fact]
    public async Task Lookup_filters_drop_matches_below_the_confidence_or_above_the_share_level()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var sure = RandomSha256();
        var unsure = RandomSha256();
        var unrated = RandomSha256();
        var amber = RandomSha256();
        await member.SubmitAsync(Labelled(sure, 90, ShareLevel.Green), Labelled(unsure, 30, ShareLevel.Green), Sha256(unrated), Labelled(amber, 95, ShareLevel.Amber));
        var queries = new[] { sure, unsure, unrated, amber }.Select(v => new LookupQuery { Type = SignalType.Sha256, Value = v });

        var filtered = await member.Client.LookupAsync(new LookupRequest { Queries = { queries }, MinConfidence = 50, MaxShareLevel = ShareLevel.Green });
        var unbounded = await member.Client.LookupAsync(new LookupRequest { Queries = { queries } });

        Assert.Equal([1, 0, 0, 0], filtered.Results.Select(r => r.Matches.Count));
        Assert.Equal([1, 1, 1, 1], unbounded.Results.Select(r => r.Matches.Count));
    }

    [Theory]
    [InlineData(101u, ShareLevel.Unspecified, "min_confidence")]
    [InlineData(0u, (ShareLevel)7, "max_share_level")]
    public async Task Lookup_with_a_bound_out_of_range_is_invalid_argument(uint minConfidence, ShareLevel maxLevel, string field)
    {
        var member = await fixture.CreateSignalMemberAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => member.Client.LookupAsync(new LookupRequest
        {
            Queries = { new LookupQuery { Type = SignalType.Sha256, Value = RandomSha256() } },
            MinConfidence = minConfidence,
            MaxShareLevel = maxLevel,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail);
    }

    [Fact]
    public async Task Feed_filter_delivers_only_confident_enough_and_loose_enough_signals_but_always_their_removal()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var reader = await fixture.CreateSignalMemberAsync();
        var filter = new SubscribeFilter { MinConfidence = 60, MaxShareLevel = ShareLevel.Amber };
        await using var feed = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Latest, Filter = filter });
        var wanted = RandomSha256().ToLowerInvariant();
        var unsure = RandomSha256().ToLowerInvariant();
        var strict = RandomSha256().ToLowerInvariant();

        await member.SubmitAsync(Labelled(unsure, 59, ShareLevel.Clear), Labelled(strict, 99, ShareLevel.AmberStrict), Labelled(wanted, 60, ShareLevel.Amber));
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(strict) });
        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(wanted) });
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == wanted && x.Kind == UpdateKind.Retracted), "the wanted signal's retraction");

        var delivered = feed.SignalUpdates.Select(u => (u.Signal.Value, u.Kind)).ToList();
        Assert.Contains((wanted, UpdateKind.Created), delivered);
        Assert.Contains((strict, UpdateKind.Retracted), delivered);
        Assert.DoesNotContain(delivered, d => d.Value == unsure);
        Assert.DoesNotContain((strict, UpdateKind.Created), delivered);
        Assert.Equal(60u, feed.SignalUpdates.First(u => u.Signal.Value == wanted).Signal.Confidence);
    }

    [Fact]
    public async Task Subscribe_with_a_bound_out_of_range_ends_with_invalid_argument()
    {
        var reader = await fixture.CreateSignalMemberAsync();

        using var call = reader.Client.Subscribe(new SubscribeRequest { Filter = new SubscribeFilter { MinConfidence = 500 } });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("filter.min_confidence", error.Status.Detail);
    }

    [Fact]
    public async Task Labels_cost_bytes_only_when_stated_and_the_default_record_keeps_its_size()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var plain = RandomSha256();
        var green = RandomSha256();
        var labelled = RandomSha256();
        await member.SubmitAsync(Sha256(plain), Labelled(green, null, ShareLevel.Green), Labelled(labelled, 75, ShareLevel.AmberStrict));

        var plainBytes = await PackedAsync(plain);
        var greenBytes = await PackedAsync(green);
        var labelledBytes = await PackedAsync(labelled);

        Assert.InRange(plainBytes.Length, 22, 25);
        Assert.Equal(plainBytes.Length, greenBytes.Length);
        Assert.Equal(SignalRecordCodec.FullLength - 1, labelledBytes.Length); // all but the governance flags byte (unset: trimmed)
        Assert.Equal(76, labelledBytes[34]);
        Assert.Equal(4, labelledBytes[35]);
    }

    private static SignalSubmission Labelled(string value, uint? confidence, ShareLevel level)
    {
        var item = Sha256(value);
        if (confidence is { } c)
        {
            item.Confidence = c;
        }

        item.ShareLevel = level;
        return item;
    }

    private async Task<byte[]> PackedAsync(string sha256)
    {
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(sha256));
        var key = SignalStorageKey.Create(signal, "");
        var store = fixture.Hub.Services.GetRequiredService<SignalStore>();
        var bucket = RedisKeys.SignalBucket(signal.Partition(store.PartitionCount), SignalStorageKey.Bucket(key, store.BucketsPerPartition));
        return (byte[])(await fixture.RedisConnection.GetDatabase().HashGetAsync(bucket, key))!;
    }
}
