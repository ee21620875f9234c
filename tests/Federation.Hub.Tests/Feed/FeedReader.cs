using Federation.Contracts.V1;
using Grpc.Core;

namespace Federation.Hub.Tests.Feed;

/// <summary>
/// Reads a Subscribe stream in the background and keeps every update, so a test can wait for a condition
/// (with a timeout) instead of sleeping. Dispose cancels the call.
/// </summary>
public sealed class FeedReader : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AsyncServerStreamingCall<SubscribeResponse> call;
    private readonly CancellationTokenSource cancel = new();
    private readonly List<SignalUpdate> updates = [];
    private readonly Task reading;
    private readonly SemaphoreSlim changed = new(0);
    private readonly TaskCompletionSource<bool> resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FeedReader(AsyncServerStreamingCall<SubscribeResponse> call, bool paused)
    {
        this.call = call;
        if (!paused)
        {
            resume.SetResult(true);
        }

        reading = ReadAsync();
    }

    /// <summary>Every update received so far.</summary>
    public IReadOnlyList<SignalUpdate> Updates
    {
        get
        {
            lock (updates)
            {
                return updates.ToArray();
            }
        }
    }

    /// <summary>Updates that carry a signal (not heartbeats or markers).</summary>
    public IReadOnlyList<SignalUpdate> SignalUpdates => Updates.Where(u => u.Signal is not null).ToArray();

    /// <summary>Completes when the stream ends; faults with the RpcException that ended it.</summary>
    public Task Completion => reading;

    /// <summary>Opens a subscription and waits until the hub has attached it (its first message, a heartbeat or the snapshot).</summary>
    /// <param name="client">The member's signal client.</param>
    /// <param name="request">Where to start and what to receive.</param>
    /// <param name="pauseAfterFirst">Stop reading after the first message until <see cref="Resume"/> (a stalled client).</param>
    public static async Task<FeedReader> OpenAsync(SignalService.SignalServiceClient client, SubscribeRequest request, bool pauseAfterFirst = false)
    {
        var reader = new FeedReader(client.Subscribe(request), pauseAfterFirst);
        await reader.WaitUntilAsync(u => u.Count > 0 || reader.reading.IsCompleted, "the first message");
        return reader;
    }

    /// <summary>Starts reading again after <c>pauseAfterFirst</c>.</summary>
    public void Resume() => resume.TrySetResult(true);

    /// <summary>Waits until <paramref name="condition"/> holds over the updates received, or fails the test.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<SignalUpdate>, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition(Updates))
        {
            if (reading.IsCompleted)
            {
                await reading; // surfaces the RpcException
                Assert.Fail($"The stream ended before {what}.");
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out after {Timeout} waiting for {what}; received {Updates.Count} updates.");
            }
        }
    }

    /// <summary>Waits for the stream to end and returns the status it ended with.</summary>
    public async Task<RpcException> EndedWithAsync()
    {
        var ended = await reading.WaitAsync(Timeout).ContinueWith(t => t, TaskScheduler.Default);
        return Assert.IsType<RpcException>(ended.Exception?.InnerException);
    }

    public async ValueTask DisposeAsync()
    {
        await cancel.CancelAsync();
        call.Dispose();
        try
        {
            await reading;
        }
        catch (Exception)
        {
            // Cancelled on purpose.
        }

        cancel.Dispose();
    }

    private async Task ReadAsync()
    {
        await Task.Yield();
        var first = true;
        while (await call.ResponseStream.MoveNext(cancel.Token))
        {
            lock (updates)
            {
                updates.Add(call.ResponseStream.Current.Update);
            }

            changed.Release();
            if (first)
            {
                first = false;
                await resume.Task.WaitAsync(cancel.Token);
            }
        }
    }
}
