using Federation.Client.Subscriptions;
using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using StackExchange.Redis;

namespace Federation.Client.Tests.Integration;

/// <summary>
/// A stored cursor older than the retained feed (its next entry trimmed away): the SDK throws
/// <see cref="FederationCursorExpiredException"/>, or with <see cref="SubscriptionOptions.SnapshotOnExpiredCursor"/>
/// starts over from an authoritative snapshot that holds what the consumer missed. Own Redis: the test trims a feed.
/// </summary>
public sealed class ExpiredCursorTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Expired_cursor_throws_or_restarts_from_a_snapshot_holding_what_was_missed()
    {
        using var writer = await TestClients.NewMemberAsync(fixture);
        using var reader = await TestClients.NewMemberAsync(fixture);
        var store = new InMemoryCursorStore();
        var partition = 3;
        var handled = await HandleOneAsync(reader, store, writer, ValueIn(partition));
        var stored = await store.LoadAsync("expired");
        var missed = new[] { ValueIn(partition), ValueIn(partition) };
        await writer.SubmitAsync(missed.Select(Sha256).ToList());
        await TrimAllButLastEntryAsync(partition);

        var expired = await Assert.ThrowsAsync<FederationCursorExpiredException>(() => FirstUpdateAsync(reader, store, snapshotOnExpiredCursor: false));
        var snapshot = await SnapshotAsync(reader, store);

        Assert.NotNull(stored);
        Assert.Equal(stored, expired.Cursor);
        Assert.Contains(handled, snapshot);
        Assert.All(missed, value => Assert.Contains(value, snapshot));
    }

    private static string ValueIn(int partition)
    {
        while (true)
        {
            var value = Sha256(null).Value;
            if (NormalizedSignal.FromRaw(SignalKind.Sha256, Convert.FromHexString(value)).Partition(16) == partition)
            {
                return value;
            }
        }
    }

    private static SignalSubmission Sha256(string? value) => new()
    {
        Type = SignalType.Sha256,
        Value = value ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        Categories = { Category.Csam },
    };

    /// <summary>Attaches, has <paramref name="value"/> submitted, handles its update and leaves: the store holds its cursor.</summary>
    private static async Task<string> HandleOneAsync(FederationClient reader, ICursorStore store, FederationClient writer, string value)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var submitted = false;
        await foreach (var update in reader.SubscribeAsync(Options(store, false, heartbeats: true), timeout.Token))
        {
            // The first heartbeat says the subscription is attached: submit only then, or the update could precede it.
            if (update.Kind == UpdateKind.Heartbeat && !submitted)
            {
                submitted = true;
                Assert.Equal(1, (await writer.SubmitAsync([Sha256(value)])).Created);
            }

            if (update.Kind == UpdateKind.Created && update.Signal.Value == value)
            {
                break;
            }
        }

        return value;
    }

    /// <summary>Trims the partition's feed up to its newest entry, as retention would: the stored cursor's next entries are gone.</summary>
    private async Task TrimAllButLastEntryAsync(int partition)
    {
        var db = fixture.RedisConnection.GetDatabase();
        var newest = await db.StreamRangeAsync(RedisKeys.Feed(partition), "-", "+", count: 1, messageOrder: Order.Descending);
        await db.StreamTrimByMinIdAsync(RedisKeys.Feed(partition), newest.Single().Id, useApproximateMaxLength: false);
    }

    private static async Task FirstUpdateAsync(FederationClient reader, ICursorStore store, bool snapshotOnExpiredCursor)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var _ in reader.SubscribeAsync(Options(store, snapshotOnExpiredCursor, heartbeats: true), timeout.Token))
        {
            return;
        }
    }

    private static async Task<List<string>> SnapshotAsync(FederationClient reader, ICursorStore store)
    {
        var values = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var update in reader.SubscribeAsync(Options(store, snapshotOnExpiredCursor: true, heartbeats: false), timeout.Token))
        {
            if (update.Kind == UpdateKind.SnapshotEnd)
            {
                return values;
            }

            Assert.Equal(UpdateKind.Snapshot, update.Kind);
            values.Add(update.Signal.Value);
        }

        Assert.Fail("the subscription ended before the snapshot did");
        return values;
    }

    private static SubscriptionOptions Options(ICursorStore store, bool snapshotOnExpiredCursor, bool heartbeats) =>
        new() { CursorStore = store, CursorKey = "expired", SnapshotOnExpiredCursor = snapshotOnExpiredCursor, IncludeHeartbeats = heartbeats };
}
