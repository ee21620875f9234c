using System.Globalization;
using System.Runtime.CompilerServices;
using Federation.Contracts.V1;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>The SDK's SubmitStream bulk path: windowed batches, progress, and resumption across a hub restart.</summary>
public sealed class BulkSubmissionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private const int BatchSize = 250;

    [Fact]
    public async Task Bulk_submission_stores_every_item_once_and_reports_each_batch()
    {
        using var client = await MemberAsync(fixture.Hub);
        var items = Enumerable.Range(0, 1_100).Select(_ => SignalCallTests.Sha256Item()).ToList();
        var reports = new List<SubmitProgress>();

        var result = await client.SubmitStreamAsync(ToAsync(items), progress: new SynchronousProgress<SubmitProgress>(reports.Add));
        var again = await client.SubmitStreamAsync(ToAsync(items));

        Assert.Equal(items.Count, result.Created);
        Assert.Equal(Enumerable.Range(0, items.Count).Select(i => (uint)i), result.Results.Select(r => r.Index));
        Assert.Equal(5, result.Batches);
        Assert.Equal([250, 500, 750, 1_000, 1_100], reports.Select(r => r.Submitted));
        Assert.Equal(items.Count, again.Unchanged);
    }

    [Fact]
    public async Task Bulk_submission_resumes_across_a_hub_restart_without_loss_or_double_counting()
    {
        var ports = new Dictionary<string, string?>
        {
            ["Federation:HttpPort"] = LocalRedisServer.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["Federation:GrpcPort"] = LocalRedisServer.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
        };
        var dataPath = Directory.CreateTempSubdirectory("federation-sdk-bulk-").FullName;
        var hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath, ports);
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        using var client = await MemberAsync(hub, loggers);
        var items = Enumerable.Range(0, 3_000).Select(_ => SignalCallTests.Sha256Item()).ToList();
        var firstAck = new TaskCompletionSource();
        var progress = new SynchronousProgress<SubmitProgress>(_ => firstAck.TrySetResult());

        // The source is slow, so the restart lands in the middle of the stream.
        var submission = client.SubmitStreamAsync(ToAsync(items, pauseEvery: BatchSize), progress: progress);
        await firstAck.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await hub.AbortAsync();
        hub = await HubInstance.StartAsync(fixture.Redis.ConnectionString, dataPath, ports);
        var result = await submission.WaitAsync(TimeSpan.FromSeconds(60));
        var stored = await client.LookupAsync(items.Select(i => new LookupQuery { Type = i.Type, Value = i.Value }));
        await hub.DisposeAsync();

        Assert.Contains(logs.Lines, l => l.Contains("Bulk submission stream broke", StringComparison.Ordinal));
        Assert.Equal(items.Count, result.Results.Count);
        Assert.Equal(items.Count, result.Created);
        Assert.All(stored, r => Assert.Equal(1u, Assert.Single(r.Matches).Signal.CorroborationCount));
    }

    [Fact]
    public async Task The_hashes_of_one_media_item_stay_in_one_batch_so_the_hub_links_them()
    {
        using var client = await MemberAsync(fixture.Hub);
        // Items 248-251 are one file's hashes, across the 250-item batch boundary.
        var items = Enumerable.Range(0, 600).Select(_ => SignalCallTests.Sha256Item()).ToList();
        for (var i = 248; i < 252; i++)
        {
            items[i].MediaItem = "file-1";
        }

        var reports = new List<SubmitProgress>();
        var result = await client.SubmitStreamAsync(ToAsync(items), progress: new SynchronousProgress<SubmitProgress>(reports.Add));
        var match = Assert.Single(Assert.Single(await client.LookupAsync([new LookupQuery { Type = SignalType.Sha256, Value = items[248].Value }])).Matches);

        Assert.Equal(600, result.Created);
        Assert.Equal([248, 498, 600], reports.Select(r => r.Submitted));
        Assert.Equal(items.Skip(249).Take(3).Select(i => "sha256:" + i.Value).Order(StringComparer.Ordinal), match.LinkedSignalIds.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (uint)i), result.Results.Select(r => r.Index));
    }

    private async Task<FederationClient> MemberAsync(HubInstance hub, ILoggerFactory? loggers = null)
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var options = TestClients.Options(hub, id, secret);
        options.SubmitBatchSize = BatchSize;
        options.SubmitStreamWindow = 2;
        // A hub restart takes a few seconds on a loaded machine: allow enough quick reconnect attempts.
        options.MaxRetryAttempts = 40;
        return new FederationClient(options, loggers);
    }

    private static async IAsyncEnumerable<SignalSubmission> ToAsync(
        IEnumerable<SignalSubmission> items, int pauseEvery = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var n = 0;
        foreach (var item in items)
        {
            if (pauseEvery > 0 && ++n % pauseEvery == 0)
            {
                await Task.Delay(100, cancellationToken);
            }

            yield return item;
        }

        await Task.CompletedTask;
    }
}
