using Federation.Contracts.V1;
using Federation.Hub.Tests.Feed;
using Grpc.Core;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// One call of every kind the hub serves (unary submit, look-up and opinion, SubmitStream, a new Subscribe, admin
/// reads), each under a deadline shorter than the Redis client's 5 s backlog timeout, so a hub that waits for Redis
/// instead of failing fast shows up as DEADLINE_EXCEEDED.
/// </summary>
/// <param name="member">The member's signal client.</param>
/// <param name="admin">An administrator's client.</param>
/// <param name="memberId">The member's id (for the admin reads).</param>
/// <param name="knownValue">A SHA-256 signal stored before the fault, for look-up and opinion.</param>
public sealed class StoreProbes(SignalService.SignalServiceClient member, MembershipService.MembershipServiceClient admin, string memberId, string knownValue)
{
    /// <summary>The deadline of every probe.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>A probe's outcome: the status (OK on success), its message and its retry-after-ms trailer, if any.</summary>
    public sealed record Outcome(string Call, StatusCode Status, string Detail, string? RetryAfterMs);

    /// <summary>Runs every probe once, in turn.</summary>
    public async Task<IReadOnlyList<Outcome>> RunAllAsync()
    {
        var value = FeedTestMember.RandomSha256();
        (string Name, Func<DateTime, Task> Call)[] probes =
        [
            ("Submit", d => member.SubmitAsync(new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { FeedTestMember.Sha(value) } }, deadline: d).ResponseAsync),
            ("Lookup", d => member.LookupAsync(new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = knownValue } } }, deadline: d).ResponseAsync),
            ("SetOpinion", d => member.SetOpinionAsync(new SetOpinionRequest { Signal = new SignalRef { Type = SignalType.Sha256, Value = knownValue }, Opinion = Opinion.Confirmed }, deadline: d).ResponseAsync),
            ("SubmitStream", d => SubmitStreamAsync(value, d)),
            ("Subscribe", d => SubscribeAsync(d)),
            ("GetMember", d => admin.GetMemberAsync(new GetMemberRequest { MemberId = memberId }, deadline: d).ResponseAsync),
            ("ListMembers", d => admin.ListMembersAsync(new ListMembersRequest(), deadline: d).ResponseAsync),
            ("GetStats", d => admin.GetStatsAsync(new GetStatsRequest(), deadline: d).ResponseAsync),
        ];

        var outcomes = new List<Outcome>();
        foreach (var (name, call) in probes)
        {
            outcomes.Add(await RunAsync(name, call));
        }

        return outcomes;
    }

    private static async Task<Outcome> RunAsync(string name, Func<DateTime, Task> call)
    {
        try
        {
            await call(DateTime.UtcNow + Deadline);
            return new Outcome(name, StatusCode.OK, "", null);
        }
        catch (RpcException e)
        {
            return new Outcome(name, e.StatusCode, e.Status.Detail, e.Trailers.GetValue("retry-after-ms"));
        }
    }

    private async Task SubmitStreamAsync(string value, DateTime deadline)
    {
        using var call = member.SubmitStream(deadline: deadline);
        try
        {
            await call.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { FeedTestMember.Sha(value) } });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The hub answered (refused the call) before the upload ended; its status is what the response stream reports.
        }

        var acknowledged = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            acknowledged++;
        }

        Assert.Equal(1, acknowledged);
    }

    // Success = the hub attached the stream and sent its first message (a heartbeat within the test hubs' 1 s interval).
    private async Task SubscribeAsync(DateTime deadline)
    {
        using var call = member.Subscribe(FeedTestMember.Latest(), deadline: deadline);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the stream ended without a message");
    }
}
