using Federation.Contracts.V1;
using Federation.Hub.Feed;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Federation.Hub.Tests.Feed;

/// <summary>Several hub replicas on one Redis; slow subscribers; shutdown.</summary>
public sealed class FeedReplicaTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Two_replicas_cross_deliver_with_identical_cursors()
    {
        await using var second = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        var (id, secret) = await fixture.CreateMemberAsync();
        var onFirst = new FeedTestMember(id, new SignalService.SignalServiceClient(fixture.Hub.Invoker(await fixture.Hub.GetTokenAsync(id, secret))));
        var onSecond = await onFirst.OnAsync(second, secret);
        await using var feedFirst = await FeedReader.OpenAsync(onFirst.Client, FeedTestMember.Latest());
        await using var feedSecond = await FeedReader.OpenAsync(onSecond.Client, FeedTestMember.Latest());
        var viaFirst = FeedTestMember.RandomSha256();
        var viaSecond = FeedTestMember.RandomSha256();

        await onFirst.SubmitAsync(FeedTestMember.Sha(viaFirst));
        await feedFirst.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == viaFirst), "first replica: its own update");
        await feedSecond.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == viaFirst), "second replica: the first replica's update");
        await onSecond.SubmitAsync(FeedTestMember.Sha(viaSecond));
        await feedFirst.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == viaSecond), "first replica: the second replica's update");
        await feedSecond.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == viaSecond), "second replica: its own update");

        foreach (var value in new[] { viaFirst, viaSecond })
        {
            var a = feedFirst.SignalUpdates.Single(x => x.Signal.Value == value);
            var b = feedSecond.SignalUpdates.Single(x => x.Signal.Value == value);
            Assert.Equal(a.Cursor, b.Cursor);
            Assert.Equal(a.Signal, b.Signal);
        }
    }

    [Fact]
    public async Task Slow_subscriber_does_not_delay_a_fast_one_and_later_catches_up_exactly()
    {
        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Feed:SubscriberBuffer"] = "16",
            ["Federation:Signals:RateLimitPerSecond"] = "0",
        });
        var (id, secret) = await fixture.CreateMemberAsync();
        var member = new FeedTestMember(id, new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync(id, secret))));
        var values = Enumerable.Range(0, 6000).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var mine = values.ToHashSet();
        await using var slow = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest(), pauseAfterFirst: true);
        await using var fast = await FeedReader.OpenAsync(member.Client, FeedTestMember.Latest());
        var tail = hub.Services.GetRequiredService<FeedTail>();

        await member.SubmitShaAsync(values);
        await fast.WaitUntilAsync(u => u.Count(x => x.Signal is not null && mine.Contains(x.Signal.Value)) >= values.Length, "every update on the fast subscriber");
        var slowWhileStalled = slow.SignalUpdates.Count;
        var overflows = tail.OverflowCount;
        slow.Resume();
        await slow.WaitUntilAsync(u => u.Count(x => x.Signal is not null && mine.Contains(x.Signal.Value)) >= values.Length, "the slow subscriber to catch up");

        Assert.Equal(values.Length, fast.SignalUpdates.Count(x => mine.Contains(x.Signal.Value)));
        Assert.Equal(0, slowWhileStalled);
        Assert.True(overflows > 0, "the stalled subscriber never overflowed its buffer; raise the number of updates");
        var caughtUp = slow.SignalUpdates.Where(x => mine.Contains(x.Signal.Value)).Select(x => x.Signal.Value).ToArray();
        Assert.Equal(values.Length, caughtUp.Length);
        Assert.Equal(values.Length, caughtUp.Distinct().Count());
    }

    [Fact]
    public async Task Stopping_replica_ends_streams_with_unavailable()
    {
        var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        var (id, secret) = await fixture.CreateMemberAsync();
        // A channel of its own: the instance's channel is disposed with it, which would cancel the call client-side.
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(hub.GrpcAddress);
        var token = await hub.GetTokenAsync(id, secret);
        var client = new SignalService.SignalServiceClient(channel.Intercept(m =>
        {
            m.Add("Authorization", "Bearer " + token);
            return m;
        }));
        await using var feed = await FeedReader.OpenAsync(client, FeedTestMember.Latest());

        var stopping = hub.DisposeAsync().AsTask();
        var ended = await feed.EndedWithAsync();
        await stopping;

        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("CURSOR", ended.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observer_receives_every_entry_after_its_start_position()
    {
        var tail = fixture.Hub.Services.GetRequiredService<FeedTail>();
        var member = await FeedTestMember.CreateAsync(fixture);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<FeedEntry>();
        using var observation = await tail.ObserveAsync(seen.Enqueue, CancellationToken.None);

        await member.SubmitShaAsync(Enumerable.Range(0, 50).Select(_ => FeedTestMember.RandomSha256()).ToArray());
        using var timeout = new CancellationTokenSource(FeedReader.Timeout);
        while (seen.Count(e => e.Kind == UpdateKind.Created) < 50)
        {
            Assert.False(timeout.IsCancellationRequested, "timed out waiting for 50 entries");
            await Task.Delay(50, CancellationToken.None);
        }

        Assert.All(seen, e => Assert.True(e.Id > observation.StartedAfter[e.Partition]));
        Assert.All(seen.GroupBy(e => e.Partition), g => Assert.Equal(g.Select(e => e.Id).Order(), g.Select(e => e.Id)));
    }
}
