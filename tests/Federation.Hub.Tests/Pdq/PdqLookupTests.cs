using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Core.Pdq;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using Grpc.Core;

namespace Federation.Hub.Tests.Pdq;

/// <summary>PDQ near-match look-up over real gRPC: the in-memory index on each replica, loaded from Redis and kept current from the feed.</summary>
public sealed class PdqLookupTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Near_duplicate_within_the_default_distance_matches_with_its_distance()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var stored = RandomPdq();
        await member.SubmitAsync(Pdq(stored));

        var match = await WaitForMatchAsync(member, FlipBits(stored, 17));

        Assert.Equal(stored.ToString(), match.Signal.Value);
        Assert.Equal(17u, match.Distance);
        Assert.Equal(SignalType.Pdq, match.Signal.Type);
    }

    [Fact]
    public async Task Hash_beyond_the_distance_does_not_match_and_max_distance_is_capped()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var stored = RandomPdq();
        await member.SubmitAsync(Pdq(stored));
        await WaitForMatchAsync(member, stored);

        var far = await LookupAsync(member, FlipBits(stored, 32), maxDistance: null);
        var askedTooFar = await LookupAsync(member, FlipBits(stored, 40), maxDistance: 64);
        var narrow = await LookupAsync(member, FlipBits(stored, 9), maxDistance: 8);

        Assert.Empty(far.Matches);
        Assert.Empty(askedTooFar.Matches);
        Assert.Empty(narrow.Matches);
    }

    [Fact]
    public async Task Replica_that_acknowledged_a_pdq_matches_it_at_once()
    {
        // Read-your-writes: no waiting between Submit and Lookup, exact and near, on the acknowledging replica.
        var member = await fixture.CreateSignalMemberAsync();
        for (var round = 0; round < 30; round++)
        {
            var stored = RandomPdq();
            var created = await member.SubmitAsync(Pdq(stored));

            var exact = await LookupAsync(member, stored, maxDistance: 0);
            var near = await LookupAsync(member, FlipBits(stored, 5), maxDistance: null);

            Assert.Equal(SubmitOutcome.Created, created.Results[0].Outcome);
            Assert.Equal(stored.ToString(), Assert.Single(exact.Matches).Signal.Value);
            Assert.Equal(5u, Assert.Single(near.Matches).Distance);
        }
    }

    [Fact]
    public async Task Any_replica_matches_a_pdq_at_once_given_the_submit_consistency_token()
    {
        // Read-your-writes across replicas: submit through one, look up through another with no waiting in between.
        await using var replica = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        await replica.WaitUntilLoadedAsync();
        var submitter = await fixture.CreateSignalMemberAsync();
        var reader = await fixture.CreateSignalMemberAsync(hub: replica);
        for (var round = 0; round < 30; round++)
        {
            var stored = RandomPdq();
            var created = await submitter.SubmitAsync(Pdq(stored));

            var near = await LookupAsync(reader, FlipBits(stored, 5), maxDistance: null, consistencyToken: created.ConsistencyToken);

            Assert.Equal(SubmitOutcome.Created, created.Results[0].Outcome);
            Assert.NotEmpty(created.ConsistencyToken);
            Assert.Equal(stored.ToString(), Assert.Single(near.Matches).Signal.Value);
        }
    }

    [Fact]
    public async Task A_consistency_token_the_hub_did_not_issue_is_invalid_argument()
    {
        var member = await fixture.CreateSignalMemberAsync();

        var garbage = await Assert.ThrowsAsync<RpcException>(() => LookupAsync(member, RandomPdq(), null, consistencyToken: "not a token"));
        var wrongShape = await Assert.ThrowsAsync<RpcException>(() =>
            LookupAsync(member, RandomPdq(), null, consistencyToken: FeedCursor.Encode([FeedPosition.Zero])));

        Assert.Equal(StatusCode.InvalidArgument, garbage.StatusCode);
        Assert.Contains("consistency_tokens[0]", garbage.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, wrongShape.StatusCode);
        Assert.Contains("partitions", wrongShape.Status.Detail);
    }

    [Fact]
    public async Task A_consistency_token_beyond_what_the_replica_applied_fails_unavailable_after_the_bounded_wait()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var future = Enumerable.Repeat(new FeedPosition((ulong)DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds(), 0), 16).ToArray();

        var behind = await Assert.ThrowsAsync<RpcException>(() => LookupAsync(member, RandomPdq(), null, consistencyToken: FeedCursor.Encode(future)));

        Assert.Equal(StatusCode.Unavailable, behind.StatusCode);
        Assert.Contains("consistency_token", behind.Status.Detail);
        Assert.Contains(behind.Trailers, t => t.Key == "retry-after-ms");
    }

    [Fact]
    public async Task Max_matches_over_100_is_rejected_for_that_query_only()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var stored = RandomPdq();
        await member.SubmitAsync(Pdq(stored));
        await WaitForMatchAsync(member, stored);

        var response = await member.Client.LookupAsync(new LookupRequest
        {
            Queries =
            {
                new LookupQuery { Type = SignalType.Pdq, Value = stored.ToString(), MaxMatches = 101 },
                new LookupQuery { Type = SignalType.Pdq, Value = stored.ToString(), MaxMatches = 100 },
            },
        });

        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[0].Error.Code);
        Assert.Equal("queries[0].max_matches", response.Results[0].Error.Field);
        Assert.Empty(response.Results[0].Matches);
        Assert.Null(response.Results[1].Error);
        Assert.Single(response.Results[1].Matches);
    }

    [Fact]
    public async Task Matches_come_nearest_first_and_respect_max_matches()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var query = RandomPdq();
        int[] distances = [12, 3, 25, 7];
        var neighbours = distances.Select(d => FlipBits(query, d)).ToArray();
        await member.SubmitAsync(neighbours.Select(Pdq).ToArray());
        await WaitUntilAsync(async () => (await LookupAsync(member, query, null, maxMatches: 10)).Matches.Count == 4, "all four neighbours are matchable");

        var all = await LookupAsync(member, query, null, maxMatches: 10);
        var best2 = await LookupAsync(member, query, null, maxMatches: 2);

        Assert.Equal([3u, 7u, 12u, 25u], all.Matches.Select(m => m.Distance));
        Assert.Equal([3u, 7u], best2.Matches.Select(m => m.Distance));
    }

    [Fact]
    public async Task Group_limited_pdq_is_invisible_to_members_outside_the_group()
    {
        var insider = await fixture.CreateSignalMemberAsync(groups: ["pdq-circle"]);
        var outsider = await fixture.CreateSignalMemberAsync();
        var stored = RandomPdq();
        await insider.SubmitAsync(Pdq(stored).InGroup("pdq-circle"));

        await WaitForMatchAsync(insider, FlipBits(stored, 4));
        var outsiders = await LookupAsync(outsider, FlipBits(stored, 4), null);

        Assert.Empty(outsiders.Matches);
    }

    [Fact]
    public async Task Retracted_pdq_stops_matching()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var stored = RandomPdq();
        await member.SubmitAsync(Pdq(stored));
        await WaitForMatchAsync(member, FlipBits(stored, 2));

        await member.Client.RetractAsync(new RetractRequest { Signal = new SignalRef { Type = SignalType.Pdq, Value = stored.ToString() } });

        await WaitUntilAsync(async () => (await LookupAsync(member, FlipBits(stored, 2), null)).Matches.Count == 0, "the retracted hash leaves the index");
    }

    [Fact]
    public async Task A_replica_started_later_loads_existing_hashes_and_a_running_replica_learns_new_ones_from_the_feed()
    {
        var member = await fixture.CreateSignalMemberAsync();
        var before = RandomPdq();
        await member.SubmitAsync(Pdq(before));

        await using var replica = await HubInstance.StartAsync(fixture.Redis.ConnectionString);
        await replica.WaitUntilLoadedAsync();
        var onReplica = await fixture.CreateSignalMemberAsync(hub: replica);
        var loaded = await LookupAsync(onReplica, FlipBits(before, 5), null);
        var after = RandomPdq();
        await member.SubmitAsync(Pdq(after));
        var learned = await WaitForMatchAsync(onReplica, FlipBits(after, 6));

        Assert.Equal(before.ToString(), Assert.Single(loaded.Matches).Signal.Value);
        Assert.Equal(6u, learned.Distance);
    }

    internal static PdqHash RandomPdq() => PdqHash.FromBytes(RandomNumberGenerator.GetBytes(32));

    /// <summary>The hash with <paramref name="count"/> distinct random bits flipped: exactly that Hamming distance away.</summary>
    internal static PdqHash FlipBits(PdqHash hash, int count)
    {
        foreach (var bit in Enumerable.Range(0, 256).OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).Take(count))
        {
            hash = hash.WithBitFlipped(bit);
        }

        return hash;
    }

    internal static SignalSubmission Pdq(PdqHash hash) => new()
    {
        Type = SignalType.Pdq,
        Value = hash.ToString(),
        Quality = 90,
        Categories = { Category.Csam },
    };

    internal static async Task<LookupResult> LookupAsync(SignalMember member, PdqHash query, uint? maxDistance, uint maxMatches = 10, string consistencyToken = "")
    {
        var q = new LookupQuery { Type = SignalType.Pdq, Value = query.ToString(), MaxMatches = maxMatches };
        if (maxDistance is { } d)
        {
            q.MaxDistance = d;
        }

        var request = new LookupRequest { Queries = { q } };
        if (consistencyToken.Length > 0)
        {
            request.ConsistencyTokens.Add(consistencyToken);
        }

        return (await member.Client.LookupAsync(request)).Results[0];
    }

    /// <summary>Submit → matchable is asynchronous (through the feed tail); wait for the condition, never a fixed delay.</summary>
    internal static async Task<LookupMatch> WaitForMatchAsync(SignalMember member, PdqHash query)
    {
        LookupMatch? found = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                found = (await LookupAsync(member, query, null)).Matches.FirstOrDefault();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                // The replica's index is still loading.
            }

            return found is not null;
        }, "the hash is matchable");
        return found!;
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => SignalTestKit.WaitUntilAsync(condition, Timeout, what);
}
