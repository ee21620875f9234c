using System.Diagnostics.Metrics;
using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Infrastructure;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// A batch's items of one partition go to Redis in script calls of at most <c>Signals:MaxItemsPerScriptCall</c>
/// items (Redis answers no one else while a script runs), and the batch means the same as in one call.
/// </summary>
public sealed class ScriptCallSizeTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task A_batch_crowded_into_one_partition_is_stored_in_small_calls_with_every_outcome_and_its_consistency_token()
    {
        await using var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Signals:MaxItemsPerScriptCall"] = "3",
        });
        var member = await fixture.CreateSignalMemberAsync(hub: hub);
        var crowded = Enumerable.Range(0, 10).Select(_ => FeedTestMember.RandomSha256InPartition(5)).ToArray();
        var elsewhere = FeedTestMember.RandomSha256InPartition(9);
        await member.SubmitAsync(Sha256(crowded[4]));
        using var calls = new SubmitScriptCalls(hub.Services.GetRequiredService<IMeterFactory>());

        var response = await member.SubmitAsync([.. crowded.Select(v => Sha256(v)), Sha256(elsewhere)]);

        Assert.Equal(4 + 1, calls.Count); // ceil(10 / 3) calls into partition 5, one into partition 9

        var outcomes = response.Results.Select(r => r.Outcome).ToArray();
        Assert.Equal(
            [.. Enumerable.Repeat(SubmitOutcome.Created, 4), SubmitOutcome.Unchanged, .. Enumerable.Repeat(SubmitOutcome.Created, 6)],
            outcomes);
        foreach (var value in crowded.Append(elsewhere))
        {
            Assert.Single((await member.LookupOneAsync(SignalType.Sha256, value)).Matches);
        }

        // The token names, per partition, a position at or after every entry this batch appended there: the last call's.
        Assert.True(FeedCursor.TryDecode(response.ConsistencyToken, out var positions, out var error), error);
        Assert.Equal(await LastEntryOfAsync(crowded[^1]), positions[5]);
        Assert.Equal(await LastEntryOfAsync(elsewhere), positions[9]);
    }

    // Counts the submit script calls of one hub: its store timings (one per call), told from other hubs' by their meter's factory.
    private sealed class SubmitScriptCalls : IDisposable
    {
        private readonly MeterListener listener = new();
        private int count;

        public SubmitScriptCalls(IMeterFactory hubMeters)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "federation.store.duration" && ReferenceEquals(instrument.Meter.Scope, hubMeters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "operation", Value: "submit" })
                    {
                        Interlocked.Increment(ref count);
                    }
                }
            });
            listener.Start();
        }

        public int Count => Volatile.Read(ref count);

        public void Dispose() => listener.Dispose();
    }

    // The feed position of the newest entry for one SHA-256 signal, read from its partition's stream.
    private async Task<FeedPosition> LastEntryOfAsync(string sha256)
    {
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(sha256));
        var key = SignalStorageKey.Create(signal, "");
        var entries = await fixture.RedisConnection.GetDatabase().StreamRangeAsync(RedisKeys.Feed(signal.Partition(16)));
        return FeedPosition.Parse(entries.Last(e => ((byte[])e["s"]!).AsSpan().SequenceEqual(key)).Id!);
    }
}
