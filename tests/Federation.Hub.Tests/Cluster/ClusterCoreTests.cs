using Federation.Contracts.V1;
using Federation.Hub.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Feed;
using Federation.Hub.Tests.Governance;
using Federation.Hub.Tests.Pdq;
using Grpc.Core;
using StackExchange.Redis;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Cluster;

/// <summary>
/// The hub's core operations on a real 3-master Redis Cluster: every partition's keys share one hash tag, so each
/// script runs on the master of its slot and the feed tail follows the partitions by their bells (non-blocking reads per slot on the shared connection). The same operations
/// as the single-Redis suites, checked across partitions that live on different masters.
/// </summary>
public sealed class ClusterCoreTests(ClusterHubFixture fixture) : IClassFixture<ClusterHubFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Partitions_spread_over_every_master_and_the_feed_tail_follows_each_slot()
    {
        var masters = new HashSet<string>(StringComparer.Ordinal);
        var db = fixture.RedisConnection.GetDatabase();
        for (var p = 0; p < 16; p++)
        {
            masters.Add((await db.IdentifyEndpointAsync(RedisKeys.Feed(p)))!.ToString()!);
        }

        Assert.Equal(3, fixture.RedisConnection.GetServers().Count(s => s.ServerType == ServerType.Cluster && !s.IsReplica));
        Assert.Equal(3, masters.Count);
    }

    [Fact]
    public async Task The_feed_tail_holds_no_connection_of_its_own_and_follows_the_bells_each_submit_rings()
    {
        var masters = fixture.RedisConnection.GetServers().Where(s => s.ServerType == ServerType.Cluster && !s.IsReplica).ToList();
        var member = await fixture.CreateSignalMemberAsync();
        var published = await SpublishCallsAsync(masters);

        await member.SubmitAsync(Enumerable.Range(0, 40).Select(_ => Sha256(RandomSha256())).ToArray());

        foreach (var master in masters)
        {
            var clients = await master.ClientListAsync();
            Assert.DoesNotContain(clients, c => c.Name == "federation-feed-tail");          // no dedicated reader connections
            Assert.InRange(clients.Count(c => c.Name == "federation-hub"), 1, 2);             // the shared multiplexer: interactive + subscription
        }

        for (var p = 0; p < 16; p++)
        {
            var master = masters.Single(m => m.EndPoint.Equals(fixture.RedisConnection.GetDatabase().IdentifyEndpoint(RedisKeys.Feed(p))));
            var subscribers = await master.ExecuteAsync("PUBSUB", "SHARDNUMSUB", FeedBell.Channel(p).ToString());
            Assert.Equal(1, (long)((RedisResult[])subscribers!)[1]); // the hub's tail listens to every partition's bell
        }

        Assert.True(await SpublishCallsAsync(masters) > published, "the submit rang the bells of the partitions it wrote");
    }

    private static async Task<long> SpublishCallsAsync(IEnumerable<IServer> masters)
    {
        long calls = 0;
        foreach (var master in masters)
        {
            var stats = (await master.InfoAsync("commandstats")).SelectMany(g => g).FirstOrDefault(kv => kv.Key == "cmdstat_spublish").Value;
            calls += stats is null ? 0 : long.Parse(stats.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return calls;
    }

    [Fact]
    public async Task Mixed_batch_gets_per_item_results_and_every_item_is_found_by_exact_lookup()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var shas = Enumerable.Range(0, 40).Select(_ => RandomSha256()).ToArray(); // 40 random values span the partitions
        var md5 = FeedTestMember.RandomMd5();
        var pdq = PdqLookupTests.RandomPdq();
        SignalSubmission[] items =
        [
            .. shas.Select(v => Sha256(v)),
            new() { Type = SignalType.Md5, Value = md5, Categories = { Category.Csam } },
            PdqLookupTests.Pdq(pdq),
            new() { Type = SignalType.Sha256, Value = "not-hex", Categories = { Category.Csam } },
        ];

        var response = await member.SubmitAsync(items);
        var sha = await member.Client.LookupAsync(new LookupRequest { Queries = { shas.Select(v => new LookupQuery { Type = SignalType.Sha256, Value = v }) } });
        var foundMd5 = await member.LookupOneAsync(SignalType.Md5, md5);

        Assert.Equal(42u, response.Summary.Created);
        Assert.Equal(1u, response.Summary.Rejected);
        Assert.Equal(SubmitOutcome.Rejected, response.Results[^1].Outcome);
        Assert.All(sha.Results, r => Assert.Single(r.Matches));
        Assert.Equal(shas.Select(v => v.ToLowerInvariant()), sha.Results.Select(r => r.Matches[0].Signal.Value));
        Assert.Single(foundMd5.Matches);
        Assert.True(shas.Select(FeedTestMember.PartitionOf).Distinct().Count() >= 8, "the batch spans most partitions");
    }

    [Fact]
    public async Task Second_member_corroborates_and_the_count_is_shared()
    {
        var first = await fixture.CreateSignalMemberAsync();
        var second = await fixture.CreateSignalMemberAsync();
        var values = Enumerable.Range(0, 16).Select(_ => RandomSha256()).ToArray();

        await first.SubmitAsync(values.Select(v => Sha256(v)).ToArray());
        var corroborated = await second.SubmitAsync(values.Select(v => Sha256(v)).ToArray());
        var seen = await first.Client.LookupAsync(new LookupRequest { Queries = { values.Select(v => new LookupQuery { Type = SignalType.Sha256, Value = v }) } });

        Assert.Equal(16u, corroborated.Summary.Corroborated);
        Assert.All(seen.Results, r => Assert.Equal(2u, Assert.Single(r.Matches).Signal.CorroborationCount));
    }

    [Fact]
    public async Task Pdq_near_duplicate_matches_with_its_distance()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var stored = PdqLookupTests.RandomPdq();
        await member.SubmitAsync(PdqLookupTests.Pdq(stored));

        var near = await PdqLookupTests.WaitForMatchAsync(member, PdqLookupTests.FlipBits(stored, 12));
        var exact = await PdqLookupTests.LookupAsync(member, stored, maxDistance: 0);

        Assert.Equal(stored.ToString(), near.Signal.Value);
        Assert.Equal(12u, near.Distance);
        Assert.Equal(stored.ToString(), Assert.Single(exact.Matches).Signal.Value);
    }

    [Fact]
    public async Task Snapshot_then_resume_from_a_cursor_sees_every_signal_once()
    {
        var submitter = await FeedTestMember.CreateAsync(fixture);
        var reader = await FeedTestMember.CreateAsync(fixture);
        var before = Enumerable.Range(0, 64).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var live = Enumerable.Range(0, 64).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var afterResume = Enumerable.Range(0, 64).Select(_ => FeedTestMember.RandomSha256()).ToArray();
        var mine = before.Concat(live).Concat(afterResume).ToHashSet(StringComparer.Ordinal);
        await submitter.SubmitShaAsync(before);

        var first = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Snapshot });
        await first.WaitUntilAsync(u => Mine(u).Count() >= before.Length, "the snapshot of the signals submitted before");
        await submitter.SubmitShaAsync(live, batch: 8);
        await first.WaitUntilAsync(u => Mine(u).Count() >= before.Length + live.Length, "the live updates");
        var seenFirst = Mine(first.Updates).ToArray();
        var cursor = seenFirst[^1].Cursor;
        await first.DisposeAsync();
        await submitter.SubmitShaAsync(afterResume, batch: 8);
        await using var resumed = await FeedReader.OpenAsync(reader.Client, new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = cursor });
        await resumed.WaitUntilAsync(u => Mine(u).Count() >= afterResume.Length, "the updates after the cursor");

        var all = seenFirst.Concat(Mine(resumed.Updates)).Select(u => u.Signal.Value).ToArray();
        Assert.Equal(mine.Count, all.Length);                              // no repeat ...
        Assert.True(mine.SetEquals(all));                                   // ... and no gap
        Assert.All(seenFirst.Take(before.Length), u => Assert.Equal(UpdateKind.Snapshot, u.Kind));
        Assert.All(Mine(resumed.Updates), u => Assert.Equal(UpdateKind.Created, u.Kind));

        IEnumerable<SignalUpdate> Mine(IEnumerable<SignalUpdate> updates) => updates.Where(x => x.Signal is not null && mine.Contains(x.Signal.Value));
    }

    [Fact]
    public async Task Opinion_and_retraction_change_the_record_and_reach_the_feed()
    {
        var contributor = await fixture.CreateSignalMemberAsync();
        var reviewer = await fixture.CreateSignalMemberAsync();
        var reader = await FeedTestMember.CreateAsync(fixture);
        var value = RandomSha256();
        var lower = value.ToLowerInvariant();
        await using var feed = await FeedReader.OpenAsync(reader.Client, FeedTestMember.Latest());
        await contributor.SubmitAsync(Sha256(value));

        await reviewer.OpinionAsync(value, Opinion.Confirmed);
        var afterOpinion = Assert.Single((await contributor.LookupOneAsync(SignalType.Sha256, value)).Matches).Signal;
        var retracted = await contributor.Client.RetractAsync(new RetractRequest { Signal = Ref(value) });
        var afterRetract = await reviewer.LookupOneAsync(SignalType.Sha256, value);
        await feed.WaitUntilAsync(u => u.Any(x => x.Signal?.Value == lower && x.Kind == UpdateKind.Retracted), "the retraction on the feed");

        Assert.Equal(1u, afterOpinion.Opinions.Confirmed);
        Assert.Equal(SignalStatus.Retracted, retracted.Signal.Status);
        Assert.Empty(afterRetract.Matches);
        Assert.Equal(
            [UpdateKind.Created, UpdateKind.OpinionChanged, UpdateKind.Retracted],
            feed.SignalUpdates.Where(x => x.Signal.Value == lower).Select(x => x.Kind));
    }

    [Fact]
    public async Task Suspending_a_member_ends_its_open_stream()
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
    public async Task Expired_signal_leaves_lookups_and_the_sweep_puts_expired_on_the_feed()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var value = RandomSha256();
        await member.SubmitAsync(Sha256(value).WithExpiry(DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Single((await member.LookupOneAsync(SignalType.Sha256, value)).Matches);

        await WaitUntilAsync(async () => (await member.LookupOneAsync(SignalType.Sha256, value)).Matches.Count == 0, Bound, "the signal leaves lookups");
        var expired = await fixture.Hub.Services.GetRequiredService<SignalExpirySweeper>().SweepOnceAsync();

        Assert.True(expired >= 1);
        Assert.Equal([(1, 1L), (6, 2L)], await fixture.FeedEntriesAsync(value));
    }
}
