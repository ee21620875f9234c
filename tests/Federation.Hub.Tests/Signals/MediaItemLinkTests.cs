using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Grpc.Core;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// Linked hashes of one media item (SignalSubmission.media_item): a look-up that matches one returns the others, the item's
/// corroboration counts every member backing any of its hashes once, links stay inside a sharing group, and bad labels
/// are refused per item.
/// </summary>
public sealed class MediaItemLinkTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task A_lookup_of_one_hash_returns_the_items_other_hashes_and_counts_the_items_members_once()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var (md5, sha256, pdq) = (Hex(16), Hex(32), Hex(32));
        var image = new[]
        {
            Item(SignalType.Md5, md5, "photo-1"),
            Item(SignalType.Sha256, sha256, "photo-1"),
            Item(SignalType.Pdq, pdq, "photo-1", quality: 90),
            Sha256(RandomSha256()),
        };

        var submitted = await first.SubmitAsync(image);
        // The second member knows only the SHA-256, on its own: it backs the item without linking anything.
        await second.SubmitAsync(Sha256(sha256));
        var byMd5 = Assert.Single((await first.LookupOneAsync(SignalType.Md5, md5)).Matches);
        var bySha256 = Assert.Single((await first.LookupOneAsync(SignalType.Sha256, sha256)).Matches);
        var unlinked = Assert.Single((await first.LookupOneAsync(SignalType.Sha256, image[3].Value)).Matches);

        Assert.Equal(4u, submitted.Summary.Created);
        Assert.Equal([$"pdq:{pdq}", $"sha256:{sha256}"], byMd5.LinkedSignalIds.Order(StringComparer.Ordinal));
        Assert.Equal([$"md5:{md5}", $"pdq:{pdq}"], bySha256.LinkedSignalIds.Order(StringComparer.Ordinal));
        Assert.Equal(1u, byMd5.Signal.CorroborationCount);
        Assert.Equal(2u, byMd5.ItemCorroborationCount);
        Assert.Equal(2u, bySha256.Signal.CorroborationCount);
        Assert.Equal(2u, bySha256.ItemCorroborationCount);
        Assert.Empty(unlinked.LinkedSignalIds);
        Assert.Equal(1u, unlinked.ItemCorroborationCount);
    }

    [Fact]
    public async Task Links_stay_inside_the_sharing_group_they_were_submitted_in()
    {
        var member = await fixture.CreateSignalMemberAsync(groups: ["link-group"]);
        var (md5, sha256) = (Hex(16), Hex(32));

        await member.SubmitAsync(Item(SignalType.Md5, md5, "clip").InGroup("link-group"), Item(SignalType.Sha256, sha256, "clip").InGroup("link-group"));
        await member.SubmitAsync(Item(SignalType.Md5, md5, "other"));
        var matches = (await member.LookupOneAsync(SignalType.Md5, md5)).Matches;

        Assert.Equal(2, matches.Count);
        Assert.Equal([$"sha256:{sha256}"], Assert.Single(matches, m => m.Signal.SharingGroup == "link-group").LinkedSignalIds);
        Assert.Empty(Assert.Single(matches, m => m.Signal.SharingGroup == "").LinkedSignalIds);
    }

    [Theory]
    [InlineData("has space", "media_item.invalid")]
    [InlineData("x123456789x123456789x123456789x123456789x123456789x123456789xxxxx", "media_item.invalid")]
    public async Task A_bad_label_is_refused_for_its_item_alone(string label, string rule)
    {
        var member = await fixture.CreateSignalMemberAsync();

        var response = await member.SubmitAsync(Item(SignalType.Md5, Hex(16), label), Sha256(RandomSha256()));

        Assert.Equal(SubmitOutcome.Rejected, response.Results[0].Outcome);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[0].Error.Code);
        Assert.Equal("items[0].media_item", response.Results[0].Error.Field);
        Assert.StartsWith(rule + ":", response.Results[0].Error.Description, StringComparison.Ordinal);
        Assert.Equal(SubmitOutcome.Created, response.Results[1].Outcome);
    }

    [Fact]
    public async Task A_media_item_links_at_most_sixteen_hashes_in_one_batch()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var items = Enumerable.Range(0, 17).Select(_ => Item(SignalType.Sha256, Hex(32), "burst")).ToArray();

        var response = await member.SubmitAsync(items);
        var last = Assert.Single((await member.LookupOneAsync(SignalType.Sha256, items[15].Value)).Matches);

        Assert.Equal(16u, response.Summary.Created);
        Assert.Equal(SubmitOutcome.Rejected, response.Results[16].Outcome);
        Assert.StartsWith("media_item.too_many:", response.Results[16].Error.Description, StringComparison.Ordinal);
        Assert.Equal(15, last.LinkedSignalIds.Count);
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static SignalSubmission Item(SignalType type, string value, string mediaItem, uint? quality = null)
    {
        var item = new SignalSubmission { Type = type, Value = value, MediaItem = mediaItem, Categories = { Category.Csam } };
        if (quality is { } q)
        {
            item.Quality = q;
        }

        return item;
    }
}
