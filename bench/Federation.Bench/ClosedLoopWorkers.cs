using System.Diagnostics;

namespace Federation.Bench;

/// <summary>
/// The closed-loop driver the gRPC benchmarks share: one worker per member, each sending its prebuilt requests one at
/// a time (one in flight) until they run out or the duration passes. Latency is timed around the call alone; what is
/// counted from each response happens outside the timed part.
/// </summary>
internal static class ClosedLoopWorkers
{
    public static async Task<(LatencyStats Latency, TimeSpan Elapsed)> RunAsync<TRequest, TResponse>(
        TRequest[][] requests, TimeSpan duration, Func<int, TRequest, Task<TResponse>> send, Action<int, TRequest, TResponse> record)
    {
        var latencies = new List<double>[requests.Length];
        var clock = Stopwatch.StartNew();
        var workers = new Task[requests.Length];
        for (var w = 0; w < requests.Length; w++)
        {
            var index = w;
            latencies[w] = new List<double>(requests[w].Length);
            workers[w] = Task.Run(async () =>
            {
                foreach (var request in requests[index])
                {
                    if (clock.Elapsed >= duration)
                    {
                        break;
                    }

                    var started = Stopwatch.GetTimestamp();
                    var response = await send(index, request);
                    latencies[index].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    record(index, request, response);
                }
            });
        }

        await Task.WhenAll(workers);
        clock.Stop();
        return (LatencyStats.From(latencies.SelectMany(l => l).ToList()), clock.Elapsed);
    }
}
