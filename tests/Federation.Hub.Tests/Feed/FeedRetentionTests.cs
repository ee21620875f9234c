using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Hub.Feed;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;

namespace Federation.Hub.Tests.Feed;

/// <summary>Retention by age and cursors older than the retained feed (own Redis: trimming affects every stream).</summary>
public sealed class FeedRetentionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Cursor_older_than_the_retained_feed_is_failed_precondition()
    {
        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Feed:Retention"] = "00:00:02",
        });
        var (id, secret) = await fixture.CreateMemberAsync();
        var member = new FeedTestMember(id, new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync(id, secret))));
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var first = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(first));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == first), "the first update");
        var old = feed.SignalUpdates.Single(x => x.Signal.Value == first).Cursor;
        var later = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(later));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == later), "the later update");
        var partition = FeedTestMember.PartitionOf(later);

        // The hub's retention task trims by age; wait until the later entry is gone.
        await WaitUntilTrimmedAsync(partition, feed.SignalUpdates.Single(x => x.Signal.Value == later).Cursor);
        var call = member.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = old });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("SNAPSHOT", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cursor_resumes_while_its_own_entry_is_still_retained()
    {
        var member = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var value = FeedTestMember.RandomSha256();
        var next = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(value));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == value), "the update");
        var cursor = feed.SignalUpdates.Single(x => x.Signal.Value == value).Cursor;
        Assert.True(FeedCursor.TryDecode(cursor, out var positions, out _));
        var partition = FeedTestMember.PartitionOf(value);
        await member.SubmitAsync(FeedTestMember.Sha(next));

        // Trim everything before the processed entry: every entry after the cursor is still there.
        await fixture.RedisConnection.GetDatabase().StreamTrimByMinIdAsync(RedisKeys.Feed(partition), positions[partition].ToString(), useApproximateMaxLength: false);
        await using var resumed = await FeedReader.OpenAsync(member.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = cursor });
        await resumed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == next), "the update after the cursor");

        Assert.DoesNotContain(resumed.SignalUpdates, x => x.Signal.Value == value);
    }

    [Fact]
    public async Task Retention_edge_is_exact_processed_entry_trimmed_still_resumes_one_entry_earlier_does_not()
    {
        var member = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var first = FeedTestMember.RandomSha256();
        var partition = FeedTestMember.PartitionOf(first);
        var second = FeedTestMember.RandomSha256InPartition(partition);
        var third = FeedTestMember.RandomSha256InPartition(partition);
        await member.SubmitAsync(FeedTestMember.Sha(first));
        await member.SubmitAsync(FeedTestMember.Sha(second));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == second), "the second update");
        var afterFirst = feed.SignalUpdates.Single(x => x.Signal.Value == first).Cursor;
        var afterSecond = feed.SignalUpdates.Single(x => x.Signal.Value == second).Cursor;

        // Age out everything in the partition (both entries), then append a third.
        var db = fixture.RedisConnection.GetDatabase();
        await db.StreamTrimByMinIdAsync(RedisKeys.Feed(partition), FeedPosition.AtMilliseconds((ulong)DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds()).ToString(), useApproximateMaxLength: false);
        await member.SubmitAsync(FeedTestMember.Sha(third));
        await using var resumed = await FeedReader.OpenAsync(member.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = afterSecond });
        await resumed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == third), "the third update");
        var call = member.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = afterFirst });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.DoesNotContain(resumed.SignalUpdates, x => x.Signal.Value == second);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Retention_trims_entries_older_than_the_retention()
    {
        var member = await FeedTestMember.CreateAsync(fixture);
        await member.SubmitAsync(FeedTestMember.Sha(FeedTestMember.RandomSha256()));
        var options = Microsoft.Extensions.Options.Options.Create(new Federation.Hub.Options.FederationOptions
        {
            Feed = { Retention = TimeSpan.Zero },
        });
        var retention = new FeedRetention(new FeedStreamStore(fixture.RedisConnection), options, new LaterClock(), Microsoft.Extensions.Logging.Abstractions.NullLogger<FeedRetention>.Instance);

        var removed = await retention.TrimOnceAsync();

        Assert.True(removed >= 1);
        Assert.Equal(TimeSpan.FromSeconds(1), FeedRetention.IntervalFor(TimeSpan.FromSeconds(2)));
        Assert.Equal(TimeSpan.FromMinutes(1), FeedRetention.IntervalFor(TimeSpan.FromDays(7)));
    }

    private async Task WaitUntilTrimmedAsync(int partition, string laterCursor)
    {
        Assert.True(FeedCursor.TryDecode(laterCursor, out var positions, out _));
        using var timeout = new CancellationTokenSource(FeedReader.Timeout);
        var id = positions[partition].ToString();
        while (true)
        {
            var still = await fixture.RedisConnection.GetDatabase().StreamRangeAsync(RedisKeys.Feed(partition), id, id);
            if (still.Length == 0)
            {
                return;
            }

            Assert.False(timeout.IsCancellationRequested, "the retention task never trimmed the feed");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    // A minute ahead, so that entries appended in the current millisecond are older than a zero retention.
    private sealed class LaterClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddMinutes(1);
    }
}
