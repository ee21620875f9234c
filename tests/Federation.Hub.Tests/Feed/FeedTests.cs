using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Feed;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Feed;

/// <summary>The live feed over real gRPC and real Redis: positions, resume, snapshot hand-off, filters, visibility, heartbeats.</summary>
public sealed class FeedTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Latest_subscriber_receives_a_created_update_with_a_cursor()
    {
        var member = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var value = FeedTestMember.RandomSha256();

        await member.SubmitAsync(FeedTestMember.Sha(value));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == value), "the created update");

        var update = feed.SignalUpdates.Single(x => x.Signal.Value == value);
        Assert.Equal(UpdateKind.Created, update.Kind);
        Assert.Equal(1u, update.Signal.CorroborationCount);
        Assert.Equal(SignalStatus.Active, update.Signal.Status);
        Assert.False(string.IsNullOrEmpty(update.Cursor));
        Assert.NotNull(update.EmittedAt);
    }

    [Fact]
    public async Task Resume_after_disconnect_sees_every_update_exactly_once_and_in_order()
    {
        var submitter = await FeedTestMember.CreateAsync(fixture);
        var corroborator = await FeedTestMember.CreateAsync(fixture);
        var reader = await FeedTestMember.CreateAsync(fixture);
        var values = Enumerable.Range(0, 40).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var mine = values.ToHashSet();
        var first = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());

        // Each signal is created, then corroborated: two updates per signal whose order matters.
        foreach (var value in values[..20])
        {
            await submitter.SubmitAsync(FeedTestMember.Sha(value));
            await corroborator.SubmitAsync(FeedTestMember.Sha(value));
        }

        await first.WaitUntilAsync(u => u.Count(x => x.Signal is not null && mine.Contains(x.Signal.Value)) >= 25, "25 updates");
        var seenBefore = first.SignalUpdates.Where(x => mine.Contains(x.Signal.Value)).Take(25).ToArray();
        var resumeCursor = seenBefore[^1].Cursor;
        await first.DisposeAsync();
        foreach (var value in values[20..])
        {
            await submitter.SubmitAsync(FeedTestMember.Sha(value));
            await corroborator.SubmitAsync(FeedTestMember.Sha(value));
        }

        await using var resumed = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = resumeCursor });
        await resumed.WaitUntilAsync(u => u.Count(x => x.Signal is not null && mine.Contains(x.Signal.Value)) >= 80 - 25, "the remaining updates");

        var all = seenBefore.Concat(resumed.SignalUpdates.Where(x => mine.Contains(x.Signal.Value))).ToArray();
        Assert.Equal(80, all.Length);
        foreach (var value in values)
        {
            var perSignal = all.Where(x => x.Signal.Value == value).ToArray();
            Assert.Equal([UpdateKind.Created, UpdateKind.Corroborated], perSignal.Select(x => x.Kind));
        }
    }

    [Fact]
    public async Task Snapshot_then_live_hand_off_under_concurrent_submissions_loses_nothing()
    {
        var submitter = await FeedTestMember.CreateAsync(fixture);
        var reader = await FeedTestMember.CreateAsync(fixture);
        var before = Enumerable.Range(0, 300).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var during = Enumerable.Range(0, 300).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        await submitter.SubmitShaAsync(before);

        var concurrent = Task.Run(() => submitter.SubmitShaAsync(during, batch: 5));
        await using var feed = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Snapshot });
        await concurrent;
        var expected = before.Concat(during).ToHashSet();
        await feed.WaitUntilAsync(u => expected.IsSubsetOf(u.Where(x => x.Signal is not null).Select(x => x.Signal.Value)), "every signal");

        var updates = feed.Updates;
        var end = updates.ToList().FindIndex(x => x.Kind == UpdateKind.SnapshotEnd);
        Assert.True(end >= 0, "no SNAPSHOT_END");
        Assert.Single(updates, x => x.Kind == UpdateKind.SnapshotEnd);
        Assert.All(updates.Take(end), x => Assert.Equal(UpdateKind.Snapshot, x.Kind));
        Assert.All(updates.Skip(end + 1), x => Assert.NotEqual(UpdateKind.Snapshot, x.Kind));
        Assert.False(string.IsNullOrEmpty(updates[end].Cursor));
        Assert.True(before.ToHashSet().IsSubsetOf(updates.Take(end).Select(x => x.Signal.Value)), "records stored before the subscription are in the snapshot");
    }

    [Fact]
    public async Task Filters_deliver_only_matching_types_categories_and_corroboration()
    {
        var a = await FeedTestMember.CreateAsync(fixture);
        var b = await FeedTestMember.CreateAsync(fixture);
        var reader = await FeedTestMember.CreateAsync(fixture);
        var filter = new SubscribeFilter { Types_ = { SignalType.Sha256 }, Categories = { Category.Grooming }, MinCorroboration = 2 };
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest(filter));
        var md5 = FeedTestMember.RandomMd5();
        var csamOnly = FeedTestMember.RandomSha256();
        var groomingOnce = FeedTestMember.RandomSha256();
        var groomingTwice = FeedTestMember.RandomSha256();

        await a.SubmitAsync(
            new SignalSubmission { Type = SignalType.Md5, Value = md5, Categories = { Category.Grooming } },
            FeedTestMember.Sha(csamOnly),
            FeedTestMember.Sha(groomingOnce, category: Category.Grooming),
            FeedTestMember.Sha(groomingTwice, category: Category.Grooming));
        await b.SubmitAsync(
            new SignalSubmission { Type = SignalType.Md5, Value = md5, Categories = { Category.Grooming } },
            FeedTestMember.Sha(csamOnly),
            FeedTestMember.Sha(groomingTwice, category: Category.Grooming));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == groomingTwice), "the matching update");

        var delivered = feed.SignalUpdates;
        var match = Assert.Single(delivered);
        Assert.Equal(groomingTwice, match.Signal.Value);
        Assert.Equal(UpdateKind.Corroborated, match.Kind);
    }

    [Fact]
    public async Task Group_signals_reach_only_members_of_the_group()
    {
        var insider = await FeedTestMember.CreateAsync(fixture, groups: ["fin-wg"]);
        var outsider = await FeedTestMember.CreateAsync(fixture);
        var submitter = await FeedTestMember.CreateAsync(fixture, groups: ["fin-wg"]);
        await using var inside = await FeedReader.OpenAsync(insider.Client, FeedTestMember.Latest());
        await using var outside = await FeedReader.OpenAsync(outsider.Client, FeedTestMember.Latest());
        var secret = FeedTestMember.RandomSha256();
        var open = FeedTestMember.RandomSha256();

        await submitter.SubmitAsync(FeedTestMember.Sha(secret, group: "fin-wg"));
        await submitter.SubmitAsync(FeedTestMember.Sha(open));
        await inside.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == open), "the open signal (insider)");
        await outside.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == open), "the open signal (outsider)");

        Assert.Contains(inside.SignalUpdates, x => x.Signal.Value == secret && x.Signal.SharingGroup == "fin-wg");
        Assert.DoesNotContain(outside.SignalUpdates, x => x.Signal.Value == secret);
    }

    [Fact]
    public async Task Snapshot_holds_only_records_the_member_may_see_and_wants()
    {
        var submitter = await FeedTestMember.CreateAsync(fixture, groups: ["snap-wg"]);
        var outsider = await FeedTestMember.CreateAsync(fixture);
        var grouped = FeedTestMember.RandomSha256();
        var open = FeedTestMember.RandomSha256();
        var grooming = FeedTestMember.RandomSha256();
        await submitter.SubmitAsync(FeedTestMember.Sha(grouped, group: "snap-wg"), FeedTestMember.Sha(open), FeedTestMember.Sha(grooming, category: Category.Grooming));

        await using var all = await FeedReader.OpenAsync(outsider.Client, new SubscribeRequest { Start = SubscribeStart.Snapshot });
        await all.WaitUntilAsync(u => u.Any(x => x.Kind == UpdateKind.SnapshotEnd), "the end of the snapshot");
        await using var filtered = await FeedReader.OpenAsync(outsider.Client, new SubscribeRequest
        {
            Start = SubscribeStart.Snapshot,
            Filter = new SubscribeFilter { Categories = { Category.Grooming } },
        });
        await filtered.WaitUntilAsync(u => u.Any(x => x.Kind == UpdateKind.SnapshotEnd), "the end of the filtered snapshot");

        var seen = all.SignalUpdates.Select(x => x.Signal.Value).ToHashSet();
        Assert.Contains(open, seen);
        Assert.Contains(grooming, seen);
        Assert.DoesNotContain(grouped, seen);
        Assert.All(filtered.SignalUpdates, x => Assert.Contains(Category.Grooming, x.Signal.Categories));
        Assert.Contains(filtered.SignalUpdates, x => x.Signal.Value == grooming);
    }

    [Fact]
    public async Task Latest_and_cursor_streams_say_once_when_they_are_live()
    {
        var member = await FeedTestMember.CreateAsync(fixture);
        await using var latest = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var live = latest.Updates[0];
        var value = FeedTestMember.RandomSha256();
        await member.SubmitAsync(FeedTestMember.Sha(value));
        await latest.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == value), "the update after LIVE");

        await using var resumed = await FeedReader.OpenAsync(member.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = live.Cursor });
        await resumed.WaitUntilAsync(u => u.Any(x => x.Kind == UpdateKind.Live), "LIVE after catching up");

        Assert.Equal(UpdateKind.Live, live.Kind);
        Assert.False(string.IsNullOrEmpty(live.Cursor));
        Assert.Null(live.Signal);
        Assert.Single(latest.Updates, x => x.Kind == UpdateKind.Live);
        // Resumed from the LIVE cursor: the update made after it comes first (caught up), then LIVE.
        var liveAt = resumed.Updates.ToList().FindIndex(x => x.Kind == UpdateKind.Live);
        Assert.Contains(resumed.Updates.Take(liveAt), x => x.Signal?.Value == value);
    }

    [Fact]
    public async Task Heartbeats_arrive_on_an_idle_stream_and_carry_the_cursor()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);

        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest(new SubscribeFilter { Types_ = { SignalType.PaymentSha256 } }));
        await feed.WaitUntilAsync(u => u.Count(x => x.Kind == UpdateKind.Heartbeat) >= 2, "two heartbeats");

        var heartbeats = feed.Updates.Where(x => x.Kind == UpdateKind.Heartbeat).ToArray();
        Assert.All(heartbeats, x => Assert.False(string.IsNullOrEmpty(x.Cursor)));
        Assert.All(heartbeats, x => Assert.Null(x.Signal));
    }

    [Fact]
    public async Task Heartbeat_cursor_moves_past_filtered_updates_and_resumes_without_them()
    {
        var submitter = await FeedTestMember.CreateAsync(fixture);
        var reader = await FeedTestMember.CreateAsync(fixture);
        var filter = new SubscribeFilter { Categories = { Category.Trafficking } };
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest(filter));
        var skipped = FeedTestMember.RandomSha256();

        await submitter.SubmitAsync(FeedTestMember.Sha(skipped));
        var before = feed.Updates.Count;
        await feed.WaitUntilAsync(u => u.Skip(before).Any(x => x.Kind == UpdateKind.Heartbeat && x.Cursor != u[before - 1].Cursor), "a heartbeat with a newer cursor");
        var cursor = feed.Updates[^1].Cursor;
        await using var resumed = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = cursor });

        Assert.DoesNotContain(resumed.SignalUpdates, x => x.Signal.Value == skipped);
    }

    [Fact]
    public async Task Removal_of_a_purged_record_is_still_delivered()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());
        var value = FeedTestMember.RandomSha256();
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(value));
        var storageKey = SignalStorageKey.Create(signal, "");

        // An entry in the contract format whose record is gone (as after a tombstone purge).
        await fixture.RedisConnection.GetDatabase().StreamAddAsync(
            RedisKeys.Feed(FeedTestMember.PartitionOf(value)), [new NameValueEntry("s", storageKey), new NameValueEntry("k", 5), new NameValueEntry("v", 4)]);
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == value), "the retraction");

        var update = feed.SignalUpdates.Single(x => x.Signal.Value == value);
        Assert.Equal(UpdateKind.Retracted, update.Kind);
        Assert.Equal(SignalStatus.Retracted, update.Signal.Status);
        Assert.Equal(4UL, update.Signal.Version);
        Assert.Equal(signal.Id, update.Signal.Id);
    }

    [Fact]
    public async Task Malformed_cursor_is_invalid_argument()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);

        var call = reader.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = "not a cursor!" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("cursor", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cursor_for_another_partition_count_is_failed_precondition()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);
        var cursor = Federation.Core.Feed.FeedCursor.Encode([Federation.Core.Feed.FeedPosition.Zero, Federation.Core.Feed.FeedPosition.Zero]);

        var call = reader.Client.Subscribe(new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = cursor });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("SNAPSHOT", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suspended_member_stream_ends_with_permission_denied()
    {
        var reader = await FeedTestMember.CreateAsync(fixture);
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());
        var admin = await fixture.Hub.AdminClientAsync();

        await admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = reader.Id, Reason = "investigation" });
        var ended = await feed.EndedWithAsync();

        Assert.Equal(StatusCode.PermissionDenied, ended.StatusCode);
        Assert.Contains("suspended", ended.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_removed_while_streaming_stops_group_updates()
    {
        var reader = await FeedTestMember.CreateAsync(fixture, groups: ["ngo-wg"]);
        var submitter = await FeedTestMember.CreateAsync(fixture, groups: ["ngo-wg"]);
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());
        var admin = await fixture.Hub.AdminClientAsync();
        var before = FeedTestMember.RandomSha256();
        var after = FeedTestMember.RandomSha256();
        var sentinel = FeedTestMember.RandomSha256();
        await submitter.SubmitAsync(FeedTestMember.Sha(before, group: "ngo-wg"));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == before), "the group signal while in the group");

        await admin.SetMemberGroupsAsync(new SetMemberGroupsRequest { MemberId = reader.Id });
        var monitor = fixture.Hub.Services.GetRequiredService<FeedAccessMonitor>();
        await WaitForAsync(() => monitor.MembersOf(reader.Id).All(m => m.Groups.Count == 0), "the replica to apply the group change");
        await submitter.SubmitAsync(FeedTestMember.Sha(after, group: "ngo-wg"));
        await submitter.SubmitAsync(FeedTestMember.Sha(sentinel));
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == sentinel), "the sentinel");

        Assert.DoesNotContain(feed.SignalUpdates, x => x.Signal.Value == after);
    }

    private static Task WaitForAsync(Func<bool> condition, string what) =>
        Eventually.UntilAsync(condition, FeedReader.Timeout, what, poll: TimeSpan.FromMilliseconds(50));
}
