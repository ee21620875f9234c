using Federation.Client.Subscriptions;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>
/// However a consumer leaves a subscription after handling an update — break, cancelling inside the loop, disposing
/// the enumerator, or dying after its handler returned — a restarted consumer continues with the next update:
/// no repeat, no gap. <see cref="FederationClient.ProcessUpdatesAsync"/> redelivers an update whose handler failed.
/// </summary>
public sealed class CursorCommitTests(HubFixture fixture) : IClassFixture<HubFixture>, IDisposable
{
    private const int Submitted = 5;
    private const int HandledBeforeLeaving = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string cursorDirectory = Directory.CreateTempSubdirectory("federation-sdk-commit-").FullName;

    public void Dispose() => Directory.Delete(cursorDirectory, recursive: true);

    [Fact]
    public async Task Break_after_an_update_resumes_with_the_next_one()
    {
        await AssertLeavingKeepsHandledAsync(async (updates, _) =>
        {
            var handled = new List<string>();
            await foreach (var update in updates)
            {
                if (update.Kind == UpdateKind.Created)
                {
                    handled.Add(update.Signal.Id);
                    if (handled.Count == HandledBeforeLeaving)
                    {
                        break;
                    }
                }
            }

            return handled;
        });
    }

    [Fact]
    public async Task Cancelling_inside_the_loop_body_keeps_the_handled_update()
    {
        await AssertLeavingKeepsHandledAsync(async (updates, stop) =>
        {
            var handled = new List<string>();
            try
            {
                await foreach (var update in updates)
                {
                    if (update.Kind == UpdateKind.Created)
                    {
                        handled.Add(update.Signal.Id);
                        if (handled.Count == HandledBeforeLeaving)
                        {
                            await stop.CancelAsync();
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }

            return handled;
        });
    }

    [Fact]
    public async Task Disposing_the_enumerator_after_an_update_keeps_it_handled()
    {
        await AssertLeavingKeepsHandledAsync(async (updates, _) =>
        {
            var handled = new List<string>();
            var enumerator = updates.GetAsyncEnumerator();
            while (handled.Count < HandledBeforeLeaving && await enumerator.MoveNextAsync())
            {
                if (enumerator.Current.Kind == UpdateKind.Created)
                {
                    handled.Add(enumerator.Current.Signal.Id);
                }
            }

            await enumerator.DisposeAsync();
            return handled;
        });
    }

    [Fact]
    public async Task Cursor_is_saved_before_the_next_update_is_awaited()
    {
        // A process that dies after its handler returned has asked for the next update: the store must already hold
        // the handled one, or the restarted consumer would repeat it. Nothing is submitted after the first update, so
        // the pending MoveNext waits on the stream, as a consumer's would when it dies.
        using var writer = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var store = new FileCursorStore(cursorDirectory);
        var options = Options(store, "crash", heartbeats: false);
        await AttachAsync(reader, options);
        await SubmitAsync(writer, 1);

        using var abandon = new CancellationTokenSource();
        var enumerator = reader.SubscribeAsync(options, abandon.Token).GetAsyncEnumerator();
        await NextCreatedAsync(enumerator);
        var pending = enumerator.MoveNextAsync().AsTask();
        var saved = await store.LoadAsync("crash");
        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        await using var restarted = reader.SubscribeAsync(Options(store, "crash", heartbeats: true)).GetAsyncEnumerator();
        Assert.True(await restarted.MoveNextAsync());
        Assert.NotNull(saved);
        // Resumed from the saved cursor, nothing is left to catch up: the stream's first message is its LIVE marker, not a repeat.
        Assert.Equal(UpdateKind.Live, restarted.Current.Kind);
    }

    [Fact]
    public async Task Failing_handler_gets_the_update_again_after_restart()
    {
        using var writer = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var options = Options(new FileCursorStore(cursorDirectory), "handler", heartbeats: true);
        await AttachAsync(reader, options);
        var ids = await SubmitAsync(writer, Submitted);

        var handled = new List<string>();
        string? failed = null;
        using var timeout = new CancellationTokenSource(Patience);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ProcessUpdatesAsync(
            (update, _) =>
            {
                if (update.Kind != UpdateKind.Created)
                {
                    return default;
                }

                if (handled.Count == HandledBeforeLeaving)
                {
                    failed = update.Signal.Id;
                    throw new InvalidOperationException("the consumer's database is down");
                }

                handled.Add(update.Signal.Id);
                return default;
            },
            options,
            timeout.Token));

        var afterRestart = await CollectCreatedAsync(reader, options, Submitted - HandledBeforeLeaving);
        Assert.Equal("the consumer's database is down", failure.Message);
        Assert.Equal(failed, afterRestart[0]);
        Assert.Equal(ids.Order(StringComparer.Ordinal), handled.Concat(afterRestart).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Attaches a consumer with a file cursor, lets <paramref name="consumeAndLeave"/> handle some updates and leave its
    /// own way, restarts, and checks the restarted consumer gets exactly the updates not handled before.
    /// </summary>
    private async Task AssertLeavingKeepsHandledAsync(Func<IAsyncEnumerable<SignalUpdate>, CancellationTokenSource, Task<List<string>>> consumeAndLeave)
    {
        using var writer = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var options = Options(new FileCursorStore(cursorDirectory), Guid.NewGuid().ToString("N"), heartbeats: true);
        await AttachAsync(reader, options);
        var ids = await SubmitAsync(writer, Submitted);

        using var stop = new CancellationTokenSource(Patience);
        var handled = await consumeAndLeave(reader.SubscribeAsync(options, stop.Token), stop);
        var afterRestart = await CollectCreatedAsync(reader, options, Submitted - HandledBeforeLeaving);

        Assert.Equal(HandledBeforeLeaving, handled.Count);
        Assert.Empty(handled.Intersect(afterRestart));
        Assert.Equal(ids.Order(StringComparer.Ordinal), handled.Concat(afterRestart).Order(StringComparer.Ordinal));
    }

    /// <summary>Subscribes from LATEST until the first heartbeat, so a cursor from before the submissions is saved.</summary>
    private static async Task AttachAsync(FederationClient reader, SubscriptionOptions options)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var update in reader.SubscribeAsync(Options(options.CursorStore!, options.CursorKey, heartbeats: true), timeout.Token))
        {
            if (update.Kind == UpdateKind.Heartbeat)
            {
                break;
            }
        }

        Assert.NotNull(await options.CursorStore!.LoadAsync(options.CursorKey));
    }

    private static SubscriptionOptions Options(ICursorStore store, string key, bool heartbeats) =>
        new() { CursorStore = store, CursorKey = key, IncludeHeartbeats = heartbeats };

    private static async Task<List<string>> CollectCreatedAsync(FederationClient reader, SubscriptionOptions options, int count)
    {
        var created = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var update in reader.SubscribeAsync(options, timeout.Token))
        {
            if (update.Kind == UpdateKind.Created)
            {
                created.Add(update.Signal.Id);
                if (created.Count == count)
                {
                    break;
                }
            }
        }

        return created;
    }

    private static async Task NextCreatedAsync(IAsyncEnumerator<SignalUpdate> enumerator)
    {
        while (await enumerator.MoveNextAsync())
        {
            if (enumerator.Current.Kind == UpdateKind.Created)
            {
                return;
            }
        }

        Assert.Fail("the subscription ended before the update arrived");
    }

    private static async Task<List<string>> SubmitAsync(FederationClient writer, int count)
    {
        var items = Enumerable.Range(0, count).Select(_ => SignalCallTests.Sha256Item()).ToList();
        var result = await writer.SubmitAsync(items);
        Assert.Equal(count, result.Created);
        return result.Results.Select(r => r.SignalId).ToList();
    }
}
