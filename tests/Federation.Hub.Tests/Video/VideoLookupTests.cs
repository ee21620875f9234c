using System.Globalization;
using Federation.Contracts.V1;
using Federation.Core.Vpdq;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using Federation.Imaging.Tests.Vpdq;
using static Federation.Hub.Tests.Signals.SignalTestKit;
using static Federation.Hub.Tests.Video.VideoSignalTests;
using VpdqFrame = Federation.Contracts.V1.VpdqFrame;

namespace Federation.Hub.Tests.Video;

/// <summary>
/// Video near-match Lookup through a real hub and Redis: the reference rule and percentages on the reference videos,
/// read-your-writes and feed propagation to another replica, retraction, sharing groups, and the cross-media flag.
/// </summary>
public sealed class VideoLookupTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [VpdqReferenceFact]
    public async Task Each_reference_edit_finds_its_original_with_the_reference_percentages()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var directory = VpdqReferenceData.Directory!;
        var rows = File.ReadAllLines(Path.Combine(directory, "matches.csv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        var originals = rows.Select(r => r[1]).Distinct().ToList();
        var ids = new Dictionary<string, string>();
        foreach (var original in originals)
        {
            var response = await member.SubmitAsync(VideoItem(Load(directory, original)));
            ids[original] = response.Results[0].SignalId;
        }

        foreach (var row in rows)
        {
            var result = await LookupVideoAsync(member, Load(directory, row[0]), new VpdqMatchOptions { MinQueryMatchPercent = 0 });
            var match = result.Matches.SingleOrDefault(m => m.Signal.Id == ids[row[1]]);
            var expectedQuery = double.Parse(row[2], CultureInfo.InvariantCulture);
            var expectedTarget = double.Parse(row[3], CultureInfo.InvariantCulture);

            Assert.NotNull(match);
            Assert.Equal(expectedQuery, match.Vpdq.QueryMatchPercent, 0.01);
            Assert.Equal(expectedTarget, match.Vpdq.TargetMatchPercent, 0.01);
            var withDefaults = await LookupVideoAsync(member, Load(directory, row[0]));
            Assert.Equal(row[4] == "yes", withDefaults.Matches.Any(m => m.Signal.Id == ids[row[1]]));
        }
    }

    [Fact]
    public async Task A_stored_video_near_matches_at_once_here_and_soon_on_another_replica_and_not_after_retraction()
    {
        await using var other = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        await other.WaitUntilLoadedAsync();
        var member = await fixture.CreateSignalMemberAsync();
        var elsewhere = await fixture.CreateSignalMemberAsync(hub: other);
        var video = RandomVideo(20);
        var edited = Edited(video, flipBits: 6);

        var id = (await member.SubmitAsync(VideoItem(video))).Results[0].SignalId;
        var here = await LookupVideoAsync(member, edited);
        await WaitUntilAsync(async () => (await LookupVideoAsync(elsewhere, edited)).Matches.Any(m => m.Signal.Id == id),
            TimeSpan.FromSeconds(15), "the other replica near-matches the video");
        await member.Client.RetractAsync(new RetractRequest { Signal = new SignalRef { Type = SignalType.Vpdq, Value = id["vpdq:".Length..] } });
        await WaitUntilAsync(async () => (await LookupVideoAsync(elsewhere, edited)).Matches.Count == 0,
            TimeSpan.FromSeconds(15), "the other replica drops the retracted video");

        var match = Assert.Single(here.Matches);
        Assert.Equal(id, match.Signal.Id);
        Assert.Equal(100, match.Vpdq.QueryMatchPercent, 0.01);
        Assert.Empty((await LookupVideoAsync(member, edited)).Matches);
        Assert.Empty((await LookupVideoAsync(member, RandomVideo(20))).Matches);
    }

    [Fact]
    public async Task Any_replica_matches_a_video_and_its_frames_cross_media_at_once_given_the_submit_consistency_token()
    {
        // Read-your-writes across replicas for the video index: submit through one, look up through another at once.
        await using var other = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        await other.WaitUntilLoadedAsync();
        var member = await fixture.CreateSignalMemberAsync();
        var elsewhere = await fixture.CreateSignalMemberAsync(hub: other);
        for (var round = 0; round < 5; round++)
        {
            // A batch of videos: the other replica's index reads each one's frames from Redis before it has applied the
            // batch, which is the window the token must cover.
            var videos = Enumerable.Range(0, 40).Select(_ => RandomVideo(6)).ToList();
            var created = await member.SubmitAsync(videos.Select(VideoItem).ToArray());
            var token = created.ConsistencyToken;

            var byVideo = (await elsewhere.Client.LookupAsync(new LookupRequest
            {
                Queries = { videos.Select(v => new LookupQuery { Type = SignalType.Vpdq, Vpdq = Edited(v, flipBits: 4) }) },
                ConsistencyTokens = { token },
            })).Results;
            var byFrame = (await elsewhere.Client.LookupAsync(new LookupRequest
            {
                Queries = { new LookupQuery { Type = SignalType.Pdq, Value = videos[^1].Frames[2].PdqHash, CrossMedia = true } },
                ConsistencyTokens = { token },
            })).Results[0];

            Assert.All(created.Results, r => Assert.Equal(SubmitOutcome.Created, r.Outcome));
            Assert.Equal(created.Results.Select(r => r.SignalId), byVideo.Select(r => Assert.Single(r.Matches).Signal.Id));
            Assert.Contains(byFrame.Matches, m => m.Signal.Id == created.Results[^1].SignalId);
        }
    }

    [Fact]
    public async Task A_group_video_near_matches_only_for_group_members()
    {
        var group = "vgrp-" + Guid.NewGuid().ToString("N")[..8];
        var insider = await fixture.CreateSignalMemberAsync(groups: [group]);
        var outsider = await fixture.CreateSignalMemberAsync();
        var video = RandomVideo(10);
        var item = VideoItem(video);
        item.SharingGroup = group;

        await insider.SubmitAsync(item);

        Assert.Single((await LookupVideoAsync(insider, video)).Matches);
        Assert.Empty((await LookupVideoAsync(outsider, video)).Matches);
    }

    [Fact]
    public async Task Cross_media_finds_the_video_holding_an_image_and_the_image_matching_a_frame_only_when_asked()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var video = RandomVideo(8);
        var frame = video.Frames[5];
        var image = Edited(new VpdqVideo { Frames = { frame } }, flipBits: 3).Frames[0].PdqHash;
        var videoId = (await member.SubmitAsync(VideoItem(video))).Results[0].SignalId;
        var imageId = (await member.SubmitAsync(new SignalSubmission { Type = SignalType.Pdq, Value = image, Quality = 100, Categories = { Category.Csam } })).Results[0].SignalId;

        var imageQuery = new LookupQuery { Type = SignalType.Pdq, Value = image, CrossMedia = true };
        var fromImage = (await member.Client.LookupAsync(new LookupRequest { Queries = { imageQuery } })).Results[0];
        var fromImagePlain = (await member.Client.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Pdq, Value = image } } })).Results[0];
        var fromVideo = await LookupVideoAsync(member, video, crossMedia: true);
        var fromVideoPlain = await LookupVideoAsync(member, video);

        var videoMatch = Assert.Single(fromImage.Matches, m => m.Signal.Id == videoId);
        Assert.Equal(3u, videoMatch.Distance);
        Assert.Equal(frame.TimestampMs, videoMatch.FrameTimestampMs);
        Assert.Contains(fromImage.Matches, m => m.Signal.Id == imageId);
        Assert.DoesNotContain(fromImagePlain.Matches, m => m.Signal.Id == videoId);
        var imageMatch = Assert.Single(fromVideo.Matches, m => m.Signal.Id == imageId);
        Assert.Equal(frame.TimestampMs, imageMatch.FrameTimestampMs);
        Assert.Equal(videoId, fromVideo.Matches[0].Signal.Id);
        Assert.DoesNotContain(fromVideoPlain.Matches, m => m.Signal.Id == imageId);
    }

    [Fact]
    public async Task Bad_video_query_options_are_invalid_argument_for_that_query()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var result = await LookupVideoAsync(member, RandomVideo(3), new VpdqMatchOptions { MinQueryMatchPercent = 150 });

        Assert.Equal((int)global::Grpc.Core.StatusCode.InvalidArgument, result.Error.Code);
        Assert.Equal("queries[0].vpdq_options", result.Error.Field);
    }

    private static async Task<LookupResult> LookupVideoAsync(SignalMember member, VpdqVideo video, VpdqMatchOptions? options = null, bool crossMedia = false)
    {
        var query = new LookupQuery { Type = SignalType.Vpdq, Vpdq = video, VpdqOptions = options, CrossMedia = crossMedia };
        return (await member.Client.LookupAsync(new LookupRequest { Queries = { query } })).Results[0];
    }

    private static VpdqVideo Load(string directory, string video)
    {
        var contract = new VpdqVideo();
        foreach (var frame in VpdqText.Parse(File.ReadAllText(Path.Combine(directory, video + ".vpdq.txt"))))
        {
            contract.Frames.Add(new VpdqFrame { PdqHash = frame.Hash.ToString(), Quality = (uint)frame.Quality, TimestampMs = VpdqFrameSet.ToMilliseconds(frame.Timestamp) });
        }

        return contract;
    }

    // The same frames with a few bits flipped in each (a re-encode's small changes).
    private static VpdqVideo Edited(VpdqVideo video, int flipBits)
    {
        var edited = new VpdqVideo();
        foreach (var frame in video.Frames)
        {
            var hash = global::Federation.Core.Pdq.PdqHash.Parse(frame.PdqHash);
            for (var b = 0; b < flipBits; b++)
            {
                hash = hash.WithBitFlipped((b * 37) % 256);
            }

            edited.Frames.Add(new VpdqFrame { PdqHash = hash.ToString(), Quality = frame.Quality, TimestampMs = frame.TimestampMs });
        }

        return edited;
    }
}
