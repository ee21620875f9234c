using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Feed;

/// <summary>A member with a signal client on one hub, and helpers to submit random signals.</summary>
public sealed class FeedTestMember(string id, SignalService.SignalServiceClient client)
{
    public string Id { get; } = id;

    public SignalService.SignalServiceClient Client { get; } = client;

    public static async Task<FeedTestMember> CreateAsync(HubFixture fixture, HubInstance? hub = null, string[]? groups = null)
    {
        hub ??= fixture.Hub;
        var (id, secret) = await fixture.CreateMemberAsync(groups: groups);
        var token = await hub.GetTokenAsync(id, secret);
        return new FeedTestMember(id, new SignalService.SignalServiceClient(hub.Invoker(token)));
    }

    /// <summary>The same member talking to another replica.</summary>
    public async Task<FeedTestMember> OnAsync(HubInstance hub, string secret) =>
        new(Id, new SignalService.SignalServiceClient(hub.Invoker(await hub.GetTokenAsync(Id, secret))));

    public static string RandomSha256() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string RandomMd5() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Submits the items in one batch and checks none was rejected.</summary>
    public async Task<SubmitResponse> SubmitAsync(params SignalSubmission[] items)
    {
        var response = await Client.SubmitAsync(new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { items } });
        Assert.Equal(0u, response.Summary.Rejected);
        return response;
    }

    /// <summary>Submits <paramref name="values"/> as SHA-256 CSAM signals in batches.</summary>
    public async Task SubmitShaAsync(IReadOnlyList<string> values, int batch = 500, string group = "")
    {
        for (var i = 0; i < values.Count; i += batch)
        {
            await SubmitAsync(values.Skip(i).Take(batch).Select(v => Sha(v, group)).ToArray());
        }
    }

    public static SignalSubmission Sha(string value, string group = "", Category category = Category.Csam) => new()
    {
        Type = SignalType.Sha256,
        Value = value,
        Categories = { category },
        SharingGroup = group,
    };

    /// <summary>The partition of a SHA-256 value on a hub with the default 16 partitions.</summary>
    public static int PartitionOf(string sha256) =>
        Federation.Core.Signals.NormalizedSignal.FromRaw(Federation.Core.Signals.SignalKind.Sha256, Convert.FromHexString(sha256)).Partition(16);

    public static SubscribeRequest Latest(SubscribeFilter? filter = null) => new() { Start = SubscribeStart.Latest, Filter = filter };
}
