using System.Diagnostics;
using System.Security.Cryptography;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Grpc.Core;

namespace Federation.Bench;

/// <summary>
/// Store outage: a hub on its own persistent redis-server, which is stopped (SIGTERM) and started again on the same
/// port several times. While it is down, sequential Submit and Lookup calls measure the time to their UNAVAILABLE
/// (each must carry the <c>retry-after-ms</c> hint); after the restart, one Submit retried every 10 ms measures the
/// time from Redis answering PING again to the first success. The baseline is the same calls' latency with Redis up.
/// </summary>
internal static class StoreOutage
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    /// <param name="Outages">Stops and restarts of redis-server.</param>
    /// <param name="CallsPerOutage">Calls made while Redis was down, per outage.</param>
    /// <param name="Up">Submit/Lookup latency with Redis up (the baseline).</param>
    /// <param name="Down">Time to the answer of every call while Redis was down.</param>
    /// <param name="NotUnavailable">Calls while down that did not end UNAVAILABLE with the retry hint (must be 0).</param>
    /// <param name="OtherStatuses">The statuses of those calls (Internal stands for UNAVAILABLE without the hint).</param>
    /// <param name="RecoveryMs">Per outage: Redis answering PING → first successful Submit.</param>
    public sealed record Result(int Outages, int CallsPerOutage, LatencyStats Up, LatencyStats Down, int NotUnavailable, string[] OtherStatuses, double[] RecoveryMs)
    {
        public double RecoveryMaxMs => RecoveryMs.Length == 0 ? double.NaN : RecoveryMs.Max();
    }

    public static async Task<Result> MeasureAsync(string work, int outages, int callsPerOutage)
    {
        var redisDirectory = Path.Combine(work, "outage-redis");
        var server = LocalRedisServer.Start(redisDirectory, persistent: true);
        var port = server.Port;
        try
        {
            await using var hub = await BenchHub.StartAsync(server.ConnectionString, Path.Combine(work, "outage-hub"));
            using var member = await hub.CreateMemberAsync("bench-outage");
            var known = RandomSha256();
            await SubmitAsync(member, known, Guid.NewGuid().ToString("N"));

            // Baseline (and warm-up): the same calls with Redis up.
            await CallsAsync(member, known, callsPerOutage, new List<double>(), new List<StatusCode>(), expectUp: true);
            var up = new List<double>();
            await CallsAsync(member, known, callsPerOutage, up, new List<StatusCode>(), expectUp: true);

            var down = new List<double>();
            var statuses = new List<StatusCode>();
            var recovery = new List<double>();
            for (var outage = 0; outage < outages; outage++)
            {
                server.Dispose();
                await CallsAsync(member, known, callsPerOutage, down, statuses, expectUp: false);

                var restart = Task.Run(() =>
                {
                    var started = LocalRedisServer.Start(redisDirectory, persistent: true, port);
                    return (Server: started, AnsweredAt: Stopwatch.GetTimestamp()); // PING answered (polled every 20 ms)
                });
                var succeededAt = await SubmitUntilAcceptedAsync(member);
                (server, var answeredAt) = await restart;
                recovery.Add(Math.Max(0, Stopwatch.GetElapsedTime(answeredAt, succeededAt).TotalMilliseconds));
            }

            var other = statuses.Where(s => s != StatusCode.Unavailable).Select(s => s.ToString()).Distinct().ToArray();
            return new Result(outages, callsPerOutage, LatencyStats.From(up), LatencyStats.From(down), statuses.Count(s => s != StatusCode.Unavailable), other, recovery.ToArray());
        }
        finally
        {
            server.Dispose();
        }
    }

    // Alternates Submit (a fresh signal) and Lookup (a stored one), one at a time; while down, a call that does not end
    // UNAVAILABLE with retry-after-ms is recorded under its status (OK counts as a wrong answer too).
    private static async Task CallsAsync(BenchMember member, string known, int count, List<double> latencies, List<StatusCode> statuses, bool expectUp)
    {
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var status = StatusCode.OK;
            try
            {
                if (i % 2 == 0)
                {
                    await member.Signals.SubmitAsync(
                        new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { Sha(RandomSha256()) } }, deadline: DateTime.UtcNow + CallDeadline);
                }
                else
                {
                    await member.Signals.LookupAsync(
                        new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = known } } }, deadline: DateTime.UtcNow + CallDeadline);
                }
            }
            catch (RpcException e) when (!expectUp)
            {
                status = e.StatusCode == StatusCode.Unavailable && e.Trailers.GetValue("retry-after-ms") is null ? StatusCode.Internal : e.StatusCode;
            }

            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            statuses.Add(status);
        }
    }

    private static async Task<long> SubmitUntilAcceptedAsync(BenchMember member)
    {
        var request = new SubmitRequest { RequestId = Guid.NewGuid().ToString("N"), Items = { Sha(RandomSha256()) } };
        var limit = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await member.Signals.SubmitAsync(request, deadline: DateTime.UtcNow + CallDeadline);
                return Stopwatch.GetTimestamp();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && limit.Elapsed < RecoveryLimit)
            {
                await Task.Delay(10);
            }
        }
    }

    private static Task<SubmitResponse> SubmitAsync(BenchMember member, string value, string requestId) =>
        member.Signals.SubmitAsync(new SubmitRequest { RequestId = requestId, Items = { Sha(value) } }).ResponseAsync;

    private static SignalSubmission Sha(string value) => new() { Type = SignalType.Sha256, Value = value, Categories = { Category.Csam } };

    private static string RandomSha256() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
