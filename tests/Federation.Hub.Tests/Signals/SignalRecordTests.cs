using System.Buffers.Binary;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using StackExchange.Redis;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>The packed record in its bucket: compact for one contributor, and records of the first (38-byte) layout still work.</summary>
public sealed class SignalRecordTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task A_single_contributor_record_is_stored_without_trailing_zero_fields()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value));

        var packed = await ReadPackedAsync(value);

        // status, version, categories, first, last, expires (21 bytes) + the member number's non-zero low bytes.
        Assert.InRange(packed.Length, 22, 25);
        Assert.NotEqual(0, packed[^1]);
    }

    [Fact]
    public async Task A_record_of_the_first_layout_is_read_corroborated_and_rewritten_in_the_compact_layout()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await first.SubmitAsync(Sha256(value, Category.Csam));
        var inline = SignalRecordCodec.InlineContributor(await ReadPackedAsync(value));
        var legacy = new byte[SignalRecordCodec.LegacyLength];
        legacy[0] = 1; // active
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(2), 7); // version
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(6), CategorySet.Of(SignalCategory.Csam).Bits);
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(10), 1_700_000_000); // first seen
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(14), 1_700_000_100); // last seen
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(18), 0); // never expires
        BinaryPrimitives.WriteUInt16LittleEndian(legacy.AsSpan(22), 1); // one contributor
        BinaryPrimitives.WriteUInt16LittleEndian(legacy.AsSpan(24), 2); // confirmed
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(30), (uint)inline);
        BinaryPrimitives.WriteUInt32LittleEndian(legacy.AsSpan(34), CategorySet.Of(SignalCategory.Csam).Bits);
        var (bucket, field) = Locate(value);
        await fixture.RedisConnection.GetDatabase().HashSetAsync(bucket, field, legacy);

        var read = (await first.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;
        var second = await fixture.CreateSignalMemberAsync();
        var corroborated = await second.SubmitAsync(Sha256(value, Category.Grooming));
        var after = (await first.LookupOneAsync(SignalType.Sha256, value)).Matches[0].Signal;
        var packed = await ReadPackedAsync(value);

        Assert.Equal(7ul, read.Version);
        Assert.Equal(1u, read.CorroborationCount);
        Assert.Equal(2u, read.Opinions.Confirmed);
        Assert.True(read.ContributedByCaller);
        Assert.Null(read.ExpiresAt);
        Assert.Equal(1_700_000_000, read.FirstSeen.Seconds);
        Assert.Equal(SubmitOutcome.Corroborated, corroborated.Results[0].Outcome);
        Assert.Equal(8ul, after.Version);
        Assert.Equal(2u, after.CorroborationCount);
        Assert.Equal(2u, after.Opinions.Confirmed);
        Assert.True(after.ContributedByCaller);
        Assert.Equal([Category.Csam, Category.Grooming], after.Categories.Order());
        Assert.Equal(1_700_000_000, after.FirstSeen.Seconds);
        Assert.InRange(packed.Length, 1, SignalRecordCodec.FullLength);
    }

    private (RedisKey Bucket, byte[] Field) Locate(string sha256)
    {
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(sha256));
        var key = SignalStorageKey.Create(signal, "");
        var store = fixture.Hub.Services.GetRequiredService<SignalStore>();
        return (RedisKeys.SignalBucket(signal.Partition(store.PartitionCount), SignalStorageKey.Bucket(key, store.BucketsPerPartition)), key);
    }

    private async Task<byte[]> ReadPackedAsync(string sha256)
    {
        var (bucket, field) = Locate(sha256);
        return (byte[])(await fixture.RedisConnection.GetDatabase().HashGetAsync(bucket, field))!;
    }
}
