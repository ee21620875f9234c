using System.Security.Cryptography;
using Federation.Client.Hashing;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

public sealed class SignalCallTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    internal static SignalSubmission Sha256Item(Category category = Category.Csam) => new()
    {
        Type = SignalType.Sha256,
        Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        Categories = { category },
    };

    [Fact]
    public async Task Large_submission_is_split_into_batches_of_at_most_1000()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var items = Enumerable.Range(0, 2345).Select(_ => Sha256Item()).ToList();
        var reports = new List<SubmitProgress>();

        var result = await client.SubmitAsync(items);

        Assert.Equal(3, result.Batches);
        Assert.Equal(2345, result.Created);
        Assert.Equal(Enumerable.Range(0, 2345).Select(i => (uint)i), result.Results.Select(r => r.Index));
    }

    [Fact]
    public async Task With_a_progress_reporter_a_mid_size_submission_reports_about_twenty_times_in_order()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var items = Enumerable.Range(0, 2345).Select(_ => Sha256Item()).ToList();
        var reports = new List<SubmitProgress>();

        var result = await client.SubmitAsync(items, progress: new SynchronousProgress<SubmitProgress>(reports.Add));

        // ceil(2345 / 20) = 118 items per batch: 20 batches, the last of 103.
        Assert.Equal(20, result.Batches);
        Assert.Equal(Enumerable.Range(1, 19).Select(b => b * 118).Append(2345), reports.Select(r => r.Submitted));
        Assert.All(reports, r => Assert.Equal(2345, r.Total));
        Assert.Equal(2345, reports[^1].Created);
        Assert.Equal(Enumerable.Range(0, 2345).Select(i => (uint)i), result.Results.Select(r => r.Index));
    }

    [Fact]
    public async Task The_hashes_of_one_media_item_are_never_split_between_batches()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var items = Enumerable.Range(0, 250).Select(_ => Sha256Item()).ToList();
        for (var i = 98; i < 101; i++)
        {
            items[i].MediaItem = "file-1";
        }

        var reports = new List<SubmitProgress>();
        var result = await client.SubmitAsync(items, progress: new SynchronousProgress<SubmitProgress>(reports.Add));
        var match = Assert.Single(Assert.Single(await client.LookupAsync([new LookupQuery { Type = SignalType.Sha256, Value = items[100].Value }])).Matches);

        Assert.Equal([98, 198, 250], reports.Select(r => r.Submitted));
        Assert.Equal(250, result.Created);
        Assert.Equal(new[] { "sha256:" + items[98].Value, "sha256:" + items[99].Value }.Order(StringComparer.Ordinal), match.LinkedSignalIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task With_a_progress_reporter_a_small_submission_keeps_batches_of_at_least_100()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var reports = new List<SubmitProgress>();

        var result = await client.SubmitAsync(Enumerable.Range(0, 250).Select(_ => Sha256Item()), progress: new SynchronousProgress<SubmitProgress>(reports.Add));

        Assert.Equal(3, result.Batches);
        Assert.Equal([100, 200, 250], reports.Select(r => r.Submitted));
    }

    [Fact]
    public async Task A_multi_batch_pdq_submission_is_matchable_on_another_replica_given_its_consistency_tokens()
    {
        await using var replica = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        await replica.WaitUntilLoadedAsync();
        using var submitter = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture, replica);
        var hashes = Enumerable.Range(0, 1500).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))).ToList();

        var submitted = await submitter.SubmitAsync(
            hashes.Select(h => new SignalSubmission { Type = SignalType.Pdq, Value = h, Quality = 90, Categories = { Category.Csam } }));
        var lookups = await reader.LookupAsync(
            [new LookupQuery { Type = SignalType.Pdq, Value = hashes[0] }, new LookupQuery { Type = SignalType.Pdq, Value = hashes[^1] }],
            filter: null,
            submitted.ConsistencyTokens);

        Assert.Equal(2, submitted.ConsistencyTokens.Count);
        Assert.Equal(hashes[0], Assert.Single(lookups[0].Matches).Signal.Value);
        Assert.Equal(hashes[^1], Assert.Single(lookups[1].Matches).Signal.Value);
    }

    [Fact]
    public async Task Repeating_a_submission_with_the_same_request_id_is_replayed_not_counted_twice()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var items = Enumerable.Range(0, 1500).Select(_ => Sha256Item()).ToList();
        var requestId = "retry-" + Guid.NewGuid().ToString("N");
        await client.SubmitAsync(items, requestId);

        var again = await client.SubmitAsync(items, requestId);

        Assert.Equal(2, again.ReplayedBatches);
        Assert.Equal(1500, again.Created);
    }

    [Fact]
    public async Task Bad_items_are_rejected_one_by_one_and_good_items_stored()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var bad = new SignalSubmission { Type = SignalType.Sha256, Value = "abc", Categories = { Category.Csam } };

        var result = await client.SubmitAsync([Sha256Item(), bad, Sha256Item()]);

        Assert.Equal(2, result.Created);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(1u, rejection.Index);
        Assert.Contains("items[1]", rejection.Error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submitted_url_hash_is_found_by_another_member_hashing_the_same_url_differently_spelled()
    {
        using var submitter = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var path = Guid.NewGuid().ToString("N");
        await submitter.SubmitAsync([new SignalSubmission
        {
            Type = SignalType.UrlSha256, Value = SignalHashing.UrlSha256($"HTTPS://Example.ORG:443/{path}#x"), Categories = { Category.Csam },
        }]);

        var matches = await reader.LookupAsync(SignalType.UrlSha256, SignalHashing.UrlSha256($"https://example.org/{path}"));

        var match = Assert.Single(matches);
        Assert.Equal(1u, match.Signal.CorroborationCount);
        Assert.False(match.Signal.ContributedByCaller);
    }

    [Fact]
    public async Task Lookup_keeps_query_order_and_reports_unknown_as_empty()
    {
        using var client = await TestClients.NewMemberAsync(fixture);
        var known = Sha256Item();
        await client.SubmitAsync([known]);

        var results = await client.LookupAsync(
        [
            new LookupQuery { Type = SignalType.Sha256, Value = Sha256Item().Value },
            new LookupQuery { Type = SignalType.Sha256, Value = known.Value.ToUpperInvariant() },
        ]);

        Assert.Empty(results[0].Matches);
        Assert.Equal(known.Value, Assert.Single(results[1].Matches).Signal.Value);
    }

    [Fact]
    public async Task Opinion_and_retraction_change_the_record()
    {
        using var submitter = await TestClients.NewMemberAsync(fixture);
        using var reviewer = await TestClients.NewMemberAsync(fixture);
        var item = Sha256Item();
        await submitter.SubmitAsync([item]);

        var opinion = await reviewer.SetOpinionAsync(SignalType.Sha256, item.Value, Opinion.FalsePositive);
        var retracted = await submitter.RetractAsync(SignalType.Sha256, item.Value);

        Assert.True(opinion.Changed);
        Assert.Equal(1u, opinion.Signal.Opinions.FalsePositive);
        Assert.Equal(SignalStatus.Retracted, retracted.Status);
        Assert.Empty(await reviewer.LookupAsync(SignalType.Sha256, item.Value));
    }
}
