using Federation.Contracts.V1;
using Grpc.Core;

namespace Federation.Hub.Tests.Faults;

/// <summary>
/// A subscriber that does what the contract asks when a stream ends with UNAVAILABLE (or its replica vanishes):
/// resubscribe with start CURSOR and the last cursor received. Collects every signal value it was sent.
/// </summary>
public sealed class ResumingFeed : IAsyncDisposable
{
    private readonly Func<int, SignalService.SignalServiceClient> clientFor;
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private readonly List<string> values = [];
    private readonly List<StatusCode> ends = [];
    private readonly TaskCompletionSource attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task running;
    private string cursor = "";

    private ResumingFeed(Func<int, SignalService.SignalServiceClient> clientFor)
    {
        this.clientFor = clientFor;
        running = RunAsync();
    }

    /// <summary>Signal values received (with repeats, if the hub ever repeated one).</summary>
    public IReadOnlyList<string> Values
    {
        get
        {
            lock (gate)
            {
                return values.ToArray();
            }
        }
    }

    /// <summary>How each stream ended before the subscriber resumed.</summary>
    public IReadOnlyList<StatusCode> Ends
    {
        get
        {
            lock (gate)
            {
                return ends.ToArray();
            }
        }
    }

    /// <summary>Subscribes from LATEST and returns once the first stream sent its first message.</summary>
    public static async Task<ResumingFeed> OpenAsync(Func<int, SignalService.SignalServiceClient> clientFor)
    {
        var feed = new ResumingFeed(clientFor);
        await feed.attached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return feed;
    }

    /// <summary>Waits until every value in <paramref name="expected"/> arrived, or fails the test after <paramref name="bound"/>.</summary>
    public async Task WaitForAllAsync(IReadOnlyCollection<string> expected, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        while (true)
        {
            var missing = expected.Except(Values).Count();
            if (missing == 0)
            {
                return;
            }

            Assert.False(running.IsCompleted, "the subscriber stopped");
            Assert.False(timeout.IsCancellationRequested, $"{missing} of {expected.Count} acknowledged signals never reached the subscriber");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        for (var attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            var request = cursor.Length == 0
                ? new SubscribeRequest { Start = SubscribeStart.Latest }
                : new SubscribeRequest { Start = SubscribeStart.Cursor, Cursor = cursor };
            try
            {
                using var call = clientFor(attempt).Subscribe(request, cancellationToken: stop.Token);
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    var update = call.ResponseStream.Current.Update;
                    lock (gate)
                    {
                        cursor = update.Cursor.Length > 0 ? update.Cursor : cursor;
                        if (update.Signal is { } signal)
                        {
                            values.Add(signal.Value);
                        }
                    }

                    attached.TrySetResult();
                }
            }
            catch (RpcException e) when (!stop.IsCancellationRequested && e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
            {
                // Unknown/Internal are recorded so a test can demand they never happen on a live replica.
                lock (gate)
                {
                    ends.Add(e.StatusCode);
                }

                await Task.Delay(100, CancellationToken.None);
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
