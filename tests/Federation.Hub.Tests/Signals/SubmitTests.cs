using Federation.Contracts.V1;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>Submit over real gRPC into real Redis: outcomes, dedup, corroboration, idempotency, feed entries.</summary>
public sealed class SubmitTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task New_signal_is_created_normalized_and_found_by_lookup()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        var response = await member.SubmitAsync(Sha256("  " + value + " ", Category.Csam));
        var found = await member.LookupOneAsync(SignalType.Sha256, value.ToLowerInvariant());

        Assert.Equal(SubmitOutcome.Created, response.Results[0].Outcome);
        Assert.Equal("sha256:" + value.ToLowerInvariant(), response.Results[0].SignalId);
        Assert.Equal(1u, response.Summary.Created);
        var signal = Assert.Single(found.Matches).Signal;
        Assert.Equal(value.ToLowerInvariant(), signal.Value);
        Assert.Equal(SignalStatus.Active, signal.Status);
        Assert.Equal(1u, signal.CorroborationCount);
        Assert.Equal(1ul, signal.Version);
        Assert.True(signal.ContributedByCaller);
        Assert.Equal([Category.Csam], signal.Categories);
        Assert.NotNull(signal.ExpiresAt);
    }

    [Fact]
    public async Task Repeat_by_the_same_member_is_unchanged_and_adds_no_feed_entry()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value));

        var repeat = await member.SubmitAsync(Sha256(value.ToLowerInvariant()));
        var feed = await fixture.FeedEntriesAsync(value);

        Assert.Equal(SubmitOutcome.Unchanged, repeat.Results[0].Outcome);
        Assert.Equal(1u, repeat.Summary.Unchanged);
        Assert.Equal([(1, 1L)], feed);
    }

    [Fact]
    public async Task Second_member_corroborates_and_the_feed_says_so()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await first.SubmitAsync(Sha256(value));

        var response = await second.SubmitAsync(Sha256(value));
        var seenByFirst = (await first.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;
        var seenByThird = (await (await fixture.CreateSignalMemberAsync()).LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SubmitOutcome.Corroborated, response.Results[0].Outcome);
        Assert.Equal(2u, seenByFirst.CorroborationCount);
        Assert.Equal(2ul, seenByFirst.Version);
        Assert.True(seenByFirst.ContributedByCaller);
        Assert.False(seenByThird.ContributedByCaller);
        Assert.Equal([(1, 1L), (2, 2L)], await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task New_category_corroborates_and_merges_the_categories()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await first.SubmitAsync(Sha256(value, Category.Csam));
        await second.SubmitAsync(Sha256(value, Category.Csam));

        var ownNewCategory = await first.SubmitAsync(Sha256(value, Category.Sextortion));
        var sameAgain = await second.SubmitAsync(Sha256(value, Category.Sextortion, Category.Csam));
        var signal = (await first.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.Equal(SubmitOutcome.Corroborated, ownNewCategory.Results[0].Outcome);
        Assert.Equal(SubmitOutcome.Unchanged, sameAgain.Results[0].Outcome);
        Assert.Equal([Category.Csam, Category.Sextortion], signal.Categories);
        Assert.Equal(2u, signal.CorroborationCount);
        Assert.Equal([(1, 1L), (2, 2L), (2, 3L)], await fixture.FeedEntriesAsync(value));
    }

    [Fact]
    public async Task Retried_request_id_replays_the_original_results_and_counts_nothing_twice()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        var request = new SubmitRequest { RequestId = "batch-" + Guid.NewGuid(), Items = { Sha256(value), Sha256("not-a-hash") } };

        var original = await member.Client.SubmitAsync(request);
        var retried = await member.Client.SubmitAsync(request);
        var signal = (await member.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;

        Assert.False(original.Replayed);
        Assert.True(retried.Replayed);
        Assert.Equal(original.Results, retried.Results);
        Assert.Equal(SubmitOutcome.Created, retried.Results[0].Outcome);
        Assert.Equal(1u, signal.CorroborationCount);
        Assert.Equal(1ul, signal.Version);
        Assert.Single(await fixture.FeedEntriesAsync(value));
    }

    public static TheoryData<string, SignalSubmission, string, string> BadItems => new()
    {
        { "unspecified type", new SignalSubmission { Value = RandomSha256(), Categories = { Category.Csam } }, "items[1].type", "type.unspecified" },
        { "unknown type", new SignalSubmission { Type = (SignalType)99, Value = RandomSha256(), Categories = { Category.Csam } }, "items[1].type", "type.unknown" },
        { "VPDQ without frames", new SignalSubmission { Type = SignalType.Vpdq, Value = RandomSha256(), Categories = { Category.Csam } }, "items[1].vpdq.frames", "vpdq.frames_missing" },
        { "empty value", Sha256("   "), "items[1].value", "value.empty" },
        { "wrong length", Sha256(RandomSha256()[..63]), "items[1].value", "value.length" },
        { "non-hex", Sha256(RandomSha256()[..63] + "#"), "items[1].value", "value.hex" },
        { "plaintext URL", Sha256("https://example.com/abuse"), "items[1].value", "value.plaintext" },
        { "plaintext e-mail", new SignalSubmission { Type = SignalType.AccountSha256, Value = "child@example.com", Categories = { Category.Grooming } }, "items[1].value", "value.plaintext" },
        { "PDQ without quality", new SignalSubmission { Type = SignalType.Pdq, Value = RandomSha256(), Categories = { Category.Csam } }, "items[1].quality", "quality.missing" },
        { "PDQ low quality", new SignalSubmission { Type = SignalType.Pdq, Value = RandomSha256(), Quality = 10, Categories = { Category.Csam } }, "items[1].quality", "quality.too_low" },
        { "PDQ quality above 100", new SignalSubmission { Type = SignalType.Pdq, Value = RandomSha256(), Quality = 101, Categories = { Category.Csam } }, "items[1].quality", "quality.range" },
        { "no category", new SignalSubmission { Type = SignalType.Sha256, Value = RandomSha256() }, "items[1].categories", "categories.empty" },
        { "unknown category", Sha256(RandomSha256(), (Category)42), "items[1].categories", "categories.unknown" },
        { "unspecified category", Sha256(RandomSha256(), Category.Unspecified), "items[1].categories", "categories.unknown" },
        { "expiry in the past", Sha256(RandomSha256()).WithExpiry(DateTimeOffset.UtcNow.AddMinutes(-1)), "items[1].expires_at", "expires_at.past" },
        { "expiry not a valid time", WithInvalidExpiry(Sha256(RandomSha256())), "items[1].expires_at", "expires_at.past" },
    };

    // Seconds beyond 9999-12-31: a Timestamp no time can be made of.
    private static SignalSubmission WithInvalidExpiry(SignalSubmission item)
    {
        item.ExpiresAt = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue };
        return item;
    }

    [Theory]
    [MemberData(nameof(BadItems))]
    public async Task Bad_item_is_rejected_with_invalid_argument_naming_item_and_rule_while_the_rest_is_stored(
        string why, SignalSubmission bad, string field, string rule)
    {
        var member = await fixture.CreateSignalMemberAsync();
        var good1 = RandomSha256();
        var good2 = RandomSha256();

        var response = await member.SubmitAsync(Sha256(good1), bad, Sha256(good2));

        var rejected = response.Results[1];
        Assert.True(rejected.Outcome == SubmitOutcome.Rejected, why);
        Assert.Equal((int)StatusCode.InvalidArgument, rejected.Error.Code);
        Assert.Equal(field, rejected.Error.Field);
        Assert.StartsWith(rule + ":", rejected.Error.Description, StringComparison.Ordinal);
        Assert.Equal(1u, response.Summary.Rejected);
        Assert.Equal(2u, response.Summary.Created);
        Assert.Single((await member.LookupOneAsync(SignalType.Sha256, good1)).Matches);
        Assert.Single((await member.LookupOneAsync(SignalType.Sha256, good2)).Matches);
    }

    [Fact]
    public async Task Duplicate_inside_a_batch_is_rejected_naming_the_first_item()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();

        var response = await member.SubmitAsync(Sha256(value), Sha256(value.ToLowerInvariant(), Category.Grooming));

        Assert.Equal(SubmitOutcome.Created, response.Results[0].Outcome);
        Assert.Equal(SubmitOutcome.Rejected, response.Results[1].Outcome);
        Assert.Equal("items[1].value", response.Results[1].Error.Field);
        Assert.Contains("batch.duplicate", response.Results[1].Error.Description, StringComparison.Ordinal);
        Assert.Contains("items[0]", response.Results[1].Error.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plaintext_is_never_echoed_in_the_error()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var response = await member.SubmitAsync(Sha256("victim@example.com"));

        Assert.DoesNotContain("victim", response.Results[0].Error.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "items", "batch.empty")]
    [InlineData(1001, "items", "batch.size")]
    public async Task Whole_batch_problems_are_invalid_argument_with_bad_request_details(int items, string field, string rule)
    {
        var member = await fixture.CreateSignalMemberAsync();
        var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString() };
        for (var i = 0; i < items; i++)
        {
            request.Items.Add(Sha256(RandomSha256()));
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => member.Client.SubmitAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violation = Assert.Single(BadRequestOf(error).FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.StartsWith(rule, violation.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("x129")]
    public async Task Bad_request_id_is_invalid_argument(string requestId)
    {
        var member = await fixture.CreateSignalMemberAsync();
        requestId = requestId == "x129" ? new string('x', 129) : requestId;

        var error = await Assert.ThrowsAsync<RpcException>(() => member.Client.SubmitAsync(
            new SubmitRequest { RequestId = requestId, Items = { Sha256(RandomSha256()) } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("request_id", Assert.Single(BadRequestOf(error).FieldViolations).Field);
    }

    [Fact]
    public async Task Submit_stream_acknowledges_every_batch_in_order()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var repeated = RandomSha256();
        using var call = member.Client.SubmitStream();
        var ids = Enumerable.Range(0, 12).Select(i => $"stream-{i}-{Guid.NewGuid():N}").ToArray();

        foreach (var id in ids)
        {
            await call.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = id, Items = { Sha256(RandomSha256()), Sha256(repeated) } });
        }

        await call.RequestStream.CompleteAsync();
        var acks = new List<SubmitStreamResponse>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync())
        {
            acks.Add(ack);
        }

        Assert.Equal(ids, acks.Select(a => a.RequestId));
        Assert.All(acks, a => Assert.Equal(2, a.Results.Count));
        Assert.Equal(13, acks.Sum(a => (int)a.Summary.Created));
        Assert.Equal(11, acks.Sum(a => (int)a.Summary.Unchanged));
    }

    [Fact]
    public async Task Submit_stream_with_a_malformed_batch_ends_with_invalid_argument()
    {
        var member = await fixture.CreateSignalMemberAsync();
        using var call = member.Client.SubmitStream();

        await call.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = "ok-" + Guid.NewGuid(), Items = { Sha256(RandomSha256()) } });
        await call.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = "", Items = { Sha256(RandomSha256()) } });
        var first = await call.ResponseStream.MoveNext() ? call.ResponseStream.Current : null;
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.NotNull(first);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Submission_batches_are_audited_with_counts_and_never_values()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value), Sha256("bad"));

        await fixture.Hub.Services.GetRequiredService<SubmissionAuditBatcher>().FlushAsync();
        var audit = fixture.Hub.Services.GetRequiredService<AuditLog>();
        var entries = await audit.ReadAsync(0, 10_000);

        var entry = Assert.Single(entries, e => e.Action == "signals.submit" && e.Actor == member.Id);
        Assert.Contains("created=1", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("rejected=1", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(value.ToLowerInvariant(), entry.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.True(AuditLog.Verify(entry));
    }

    [Fact]
    public async Task Statistics_count_created_and_active_signals_and_feed_entries()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var admin = await fixture.Hub.AdminClientAsync();
        var before = await admin.GetStatsAsync(new GetStatsRequest());

        await member.SubmitAsync(Sha256(RandomSha256()), Sha256(RandomSha256()));
        var after = await admin.GetStatsAsync(new GetStatsRequest());

        static ulong Active(GetStatsResponse s) => s.ActiveSignals.Where(c => c.Type == SignalType.Sha256).Aggregate(0UL, (total, c) => total + c.Count);
        Assert.Equal(before.SignalsTotal + 2, after.SignalsTotal);
        Assert.Equal(Active(before) + 2, Active(after));
        Assert.Equal(before.FeedEntries + 2, after.FeedEntries);
    }

    private static Google.Rpc.BadRequest BadRequestOf(RpcException error)
    {
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        return status.GetDetail<Google.Rpc.BadRequest>();
    }
}
