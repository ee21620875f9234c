using System.Security.Cryptography;
using Federation.Core.Signals;
using Federation.Hub.Options;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// One expiry sweep call reads at most <c>Signals:SweepRecordsPerCall</c> records (Redis answers no one else while a
/// script runs), always walking at least one whole bucket, and a sweep of small calls still expires every record,
/// against a real redis-server.
/// </summary>
public sealed class SweepCallSizeTests(TestRedis redis) : IClassFixture<TestRedis>
{
    private const int Buckets = 4;
    private const int Records = 40;

    [Fact]
    public async Task A_sweep_call_stops_before_the_bucket_that_would_pass_its_record_budget_and_a_sweep_still_expires_everything()
    {
        var options = new FederationOptions();
        options.Signals.BucketsPerPartition = Buckets;
        options.Signals.SweepRecordsPerCall = 3;
        options.Signals.MaintenanceRedisShare = 1.0;
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var now = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        // The same store two hours on: every record has expired, no tombstone is old enough to purge.
        var later = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(options), new ShiftedClock(TimeSpan.FromHours(2)));
        const int partition = 3;
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        for (var i = 0; i < Records; i++)
        {
            await now.SubmitAsync(partition, 1, [new SignalWrite(KeyIn(partition, now.PartitionCount), 1, expires, 0)]);
        }

        var sizes = new long[Buckets];
        for (var b = 0; b < Buckets; b++)
        {
            sizes[b] = await mux.GetDatabase().HashLengthAsync(RedisKeys.SignalBucket(partition, b));
        }

        Assert.Equal(Records, sizes.Sum());

        // A budget of 3 with about 10 records a bucket: the first bucket alone (always walked), wherever it ends.
        var (expired, _, walked) = await later.SweepAsync(partition, 0, Buckets, maxRecords: 3);
        Assert.Equal(ExpectedWalk(sizes, 3), walked);
        Assert.Equal(sizes.Take(walked).Sum(), expired);

        // A budget that holds everything walks every bucket in one call.
        var (rest, _, all) = await later.SweepAsync(partition, 0, Buckets, maxRecords: Records);
        Assert.Equal(Buckets, all);
        Assert.Equal(Records - expired, rest);

        // The sweeper walks on by what each call walked: a fresh set of records, all expired in calls of three.
        for (var i = 0; i < Records; i++)
        {
            await now.SubmitAsync(partition, 1, [new SignalWrite(KeyIn(partition, now.PartitionCount), 1, expires, 0)]);
        }

        var sweeper = new SignalExpirySweeper(later, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<SignalExpirySweeper>.Instance);
        Assert.Equal(Records, await sweeper.SweepOnceAsync());
        Assert.Equal(0, await sweeper.SweepOnceAsync());
    }

    // Buckets walked by one call from bucket 0: the first always, then each while the records read stay within the budget.
    private static int ExpectedWalk(long[] sizes, long budget)
    {
        var (walked, records) = (1, sizes[0]);
        while (walked < sizes.Length && records + sizes[walked] <= budget)
        {
            records += sizes[walked++];
        }

        return walked;
    }

    private static byte[] KeyIn(int partition, int partitions)
    {
        while (true)
        {
            var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, RandomNumberGenerator.GetBytes(32));
            if (signal.Partition(partitions) == partition)
            {
                return SignalStorageKey.Create(signal, "");
            }
        }
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
