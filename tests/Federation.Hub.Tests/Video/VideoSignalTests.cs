using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Core.Pdq;
using Federation.Hub.Signals;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Video;

/// <summary>
/// VIDEO_MD5 and VPDQ signals through a real hub and Redis: submission with the identity and limits of the proto,
/// exact look-up returning the stored frames, feed and snapshot carrying them, opinions, retraction, expiry and groups.
/// </summary>
public sealed class VideoSignalTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Video_md5_is_accepted_and_looked_up_exactly()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var md5 = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

        var response = await member.SubmitAsync(new SignalSubmission { Type = SignalType.VideoMd5, Value = md5, Categories = { Category.Csam } });
        var found = await member.LookupOneAsync(SignalType.VideoMd5, md5);

        Assert.Equal(SubmitOutcome.Created, response.Results[0].Outcome);
        Assert.Equal("video_md5:" + md5.ToLowerInvariant(), response.Results[0].SignalId);
        Assert.Equal(md5.ToLowerInvariant(), Assert.Single(found.Matches).Signal.Value);
        Assert.Empty((await member.LookupOneAsync(SignalType.Md5, md5)).Matches);
    }

    [Fact]
    public async Task Vpdq_is_stored_under_the_identity_of_its_frame_set_and_returns_its_frames()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var frames = RandomVideo(12, duplicateEvery: 3);
        var reordered = new VpdqVideo { Frames = { frames.Frames.Reverse() } };

        var created = await member.SubmitAsync(VideoItem(frames));
        var again = await member.SubmitAsync(VideoItem(reordered));
        var id = created.Results[0].SignalId;
        var found = await member.LookupOneAsync(SignalType.Vpdq, id["vpdq:".Length..]);

        Assert.Equal(SubmitOutcome.Created, created.Results[0].Outcome);
        Assert.Equal(SubmitOutcome.Unchanged, again.Results[0].Outcome);
        Assert.Equal(id, again.Results[0].SignalId);
        var video = Assert.Single(found.Matches).Signal.Vpdq;
        Assert.Equal(id["vpdq:".Length..], video.Identity);
        Assert.Equal(12ul, video.TotalFrames);
        Assert.Equal(frames.Frames.Select(f => f.PdqHash).Distinct().Count(), video.Frames.Count);
        Assert.Equal(12u, (uint)video.Frames.Sum(f => f.Count));
    }

    [Fact]
    public async Task Bad_vpdq_items_are_rejected_one_by_one_with_the_rule_and_field()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var tooMany = new VpdqVideo();
        for (var i = 0; i < 4097; i++)
        {
            tooMany.Frames.Add(new VpdqFrame { PdqHash = RandomHash().ToString(), Quality = 100 });
        }

        var badHash = RandomVideo(3);
        badHash.Frames[1].PdqHash = "xyz";
        var wrongValue = VideoItem(RandomVideo(3));
        wrongValue.Value = new string('a', 64);

        var response = await member.SubmitAsync(
            new SignalSubmission { Type = SignalType.Vpdq, Categories = { Category.Csam } },
            VideoItem(tooMany),
            VideoItem(badHash),
            wrongValue,
            VideoItem(RandomVideo(4)));

        Assert.Equal(("items[0].vpdq.frames", "vpdq.frames_missing"), Error(response, 0));
        Assert.Equal(("items[1].vpdq.frames", "vpdq.too_many_frames"), Error(response, 1));
        Assert.Equal(("items[2].vpdq.frames[1].pdq_hash", "vpdq.frame_hash"), Error(response, 2));
        Assert.Equal(("items[3].value", "vpdq.identity_mismatch"), Error(response, 3));
        Assert.Equal(SubmitOutcome.Created, response.Results[4].Outcome);
        Assert.All(response.Results.Take(4), r => Assert.Equal((int)StatusCode.InvalidArgument, r.Error.Code));
    }

    [Fact]
    public async Task Feed_and_snapshot_carry_the_frames_and_opinions_and_retraction_work()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var other = await fixture.CreateSignalMemberAsync();
        await using var live = await FeedReader.OpenAsync(other.Client, FeedTestMember.Latest());
        var video = RandomVideo(5);

        var id = (await member.SubmitAsync(VideoItem(video))).Results[0].SignalId;
        var identity = id["vpdq:".Length..];
        await live.WaitUntilAsync(u => u.Any(x => x.Signal?.Id == id), "the created VPDQ update");
        await using (var snapshot = await FeedReader.OpenAsync(other.Client, new SubscribeRequest { Start = SubscribeStart.Snapshot }))
        {
            await snapshot.WaitUntilAsync(u => u.Any(x => x.Kind == UpdateKind.SnapshotEnd), "the end of the snapshot");
            Assert.Equal(5, snapshot.SignalUpdates.Single(x => x.Signal.Id == id).Signal.Vpdq.Frames.Count);
        }

        var opinion = await other.Client.SetOpinionAsync(new SetOpinionRequest { Signal = new SignalRef { Type = SignalType.Vpdq, Value = identity }, Opinion = Opinion.Confirmed });
        var retracted = await member.Client.RetractAsync(new RetractRequest { Signal = new SignalRef { Type = SignalType.Vpdq, Value = identity } });
        await live.WaitUntilAsync(u => u.Any(x => x.Signal?.Id == id && x.Kind == UpdateKind.Retracted), "the retraction");

        Assert.Equal(5, live.SignalUpdates.First(x => x.Signal.Id == id).Signal.Vpdq.Frames.Count);
        Assert.Equal(1u, opinion.Signal.Opinions.Confirmed);
        Assert.Equal(5, opinion.Signal.Vpdq.Frames.Count);
        Assert.Equal(SignalStatus.Retracted, retracted.Signal.Status);
        Assert.Empty((await member.LookupOneAsync(SignalType.Vpdq, identity)).Matches);
    }

    [Fact]
    public async Task Group_video_is_visible_only_inside_the_group_and_expiry_removes_it()
    {
        var group = "vid-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var outsider = await fixture.CreateSignalMemberAsync();
        var grouped = VideoItem(RandomVideo(4));
        grouped.SharingGroup = group;
        var expiring = VideoItem(RandomVideo(4)).WithExpiry(DateTimeOffset.UtcNow.AddSeconds(1));

        var response = await insider.SubmitAsync(grouped, expiring);
        var groupedValue = response.Results[0].SignalId["vpdq:".Length..];
        var expiringValue = response.Results[1].SignalId["vpdq:".Length..];

        Assert.Single((await insider.LookupOneAsync(SignalType.Vpdq, groupedValue)).Matches);
        Assert.Empty((await outsider.LookupOneAsync(SignalType.Vpdq, groupedValue)).Matches);
        await WaitUntilAsync(async () => (await insider.LookupOneAsync(SignalType.Vpdq, expiringValue)).Matches.Count == 0,
            TimeSpan.FromSeconds(10), "the expiring video leaves lookups");
        Assert.True(await fixture.Hub.Services.GetRequiredService<SignalExpirySweeper>().SweepOnceAsync() >= 1);
    }

    internal static SignalSubmission VideoItem(VpdqVideo video) => new() { Type = SignalType.Vpdq, Vpdq = video, Categories = { Category.Csam } };

    internal static PdqHash RandomHash()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        return PdqHash.FromBytes(bytes);
    }

    // frames random hashes of quality 100, every duplicateEvery-th frame repeating the previous one.
    internal static VpdqVideo RandomVideo(int frames, int duplicateEvery = 0)
    {
        var video = new VpdqVideo();
        var hash = RandomHash();
        for (var i = 0; i < frames; i++)
        {
            if (duplicateEvery == 0 || i % duplicateEvery != 0 || i == 0)
            {
                hash = RandomHash();
            }

            video.Frames.Add(new VpdqFrame { PdqHash = hash.ToString(), Quality = 100, TimestampMs = (uint)(i * 40) });
        }

        return video;
    }

    private static (string Field, string Rule) Error(SubmitResponse response, int index)
    {
        var error = response.Results[index].Error;
        return (error.Field, error.Description[..error.Description.IndexOf(':', StringComparison.Ordinal)]);
    }
}
