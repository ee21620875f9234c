using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Signals;

/// <summary>A member with a signal client.</summary>
public sealed record SignalMember(string Id, SignalService.SignalServiceClient Client);

/// <summary>Helpers shared by the signal tests: members, random hashes, submissions, the feed read straight from Redis.</summary>
public static class SignalTestKit
{
    public static async Task<SignalMember> CreateSignalMemberAsync(this HubFixture fixture, string[]? groups = null, HubInstance? hub = null)
    {
        var (id, secret) = await fixture.CreateMemberAsync(groups: groups);
        hub ??= fixture.Hub;
        var token = await hub.GetTokenAsync(id, secret);
        return new SignalMember(id, new SignalService.SignalServiceClient(hub.Invoker(token)));
    }

    /// <summary>A random SHA-256 value in upper case (the hub normalizes it).</summary>
    public static string RandomSha256() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    public static SignalSubmission Sha256(string value, params Category[] categories) => new()
    {
        Type = SignalType.Sha256,
        Value = value,
        Categories = { categories.Length == 0 ? [Category.Csam] : categories },
    };

    public static SignalSubmission WithExpiry(this SignalSubmission item, DateTimeOffset at)
    {
        item.ExpiresAt = Timestamp.FromDateTimeOffset(at);
        return item;
    }

    public static SignalSubmission InGroup(this SignalSubmission item, string group)
    {
        item.SharingGroup = group;
        return item;
    }

    public static async Task<SubmitResponse> SubmitAsync(this SignalMember member, params SignalSubmission[] items) =>
        await member.Client.SubmitAsync(new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { items } });

    public static async Task<LookupResult> LookupOneAsync(this SignalMember member, SignalType type, string value) =>
        (await member.Client.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = type, Value = value } } })).Results[0];

    public static SignalRef Ref(string sha256) => new() { Type = SignalType.Sha256, Value = sha256 };

    /// <summary>The feed entries (kind, version) of one SHA-256 signal, read directly from its partition's stream.</summary>
    public static async Task<List<(int Kind, long Version)>> FeedEntriesAsync(this HubFixture fixture, string sha256, string group = "")
    {
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(sha256));
        var key = SignalStorageKey.Create(signal, group);
        var partitions = fixture.Hub.Services.GetRequiredService<SignalStore>().PartitionCount;
        var entries = await fixture.RedisConnection.GetDatabase().StreamRangeAsync(RedisKeys.Feed(signal.Partition(partitions)));
        return entries
            .Where(e => ((byte[])e["s"]!).AsSpan().SequenceEqual(key))
            .Select(e => ((int)e["k"], (long)e["v"]))
            .ToList();
    }

    /// <summary>Polls a condition until it holds or the timeout passes (no fixed sleeps in tests).</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Eventually.UntilAsync(condition, timeout, what, poll: TimeSpan.FromMilliseconds(50));
}
