using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Signals;

/// <summary>
/// Every key a signal script touches is one it was given in KEYS (issue 12, item 9): Redis requires it of scripts (and a
/// store that enforces it, or a cluster proxy, fails otherwise). Redis itself does not check on a single node, so the
/// test watches with MONITOR, which logs each script call and then each command the script runs, and drives every path
/// that touches a side hash: corroboration (overflow contributors), opinions, reads with a caller, retraction, expiry,
/// revival and the tombstone purge, against a real redis-server.
/// </summary>
public sealed class ScriptKeyDeclarationTests(TestRedis redis) : IClassFixture<TestRedis>
{
    private static readonly FederationOptions Options = new();

    [Fact]
    public async Task Signal_scripts_touch_only_the_keys_they_are_given()
    {
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var now = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
        // The same store ten years on: every expiry and every tombstone keep has passed.
        var later = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(Options), new ShiftedClock(TimeSpan.FromDays(3650)));
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var (purgedKey, p1) = RandomKey(now.PartitionCount);
        var (revivedKey, p2) = RandomKey(now.PartitionCount);
        var (video, videoKey, p3) = RandomVideo(now.PartitionCount, "");
        using var monitor = await Monitor.StartAsync(redis.ConnectionString);

        // Purged: three contributors (overflow hash), an opinion, reads with and without a caller, a retraction, then
        // expiry and the purge of the tombstone with its side hashes.
        await now.SubmitAsync(p1, 1, [new SignalWrite(purgedKey, 1, expires, 0)]);
        await now.SubmitAsync(p1, 2, [new SignalWrite(purgedKey, 2, expires, 0)]);
        await now.SubmitAsync(p1, 2, [new SignalWrite(purgedKey, 2, expires, 0)]);
        await now.SubmitAsync(p1, 3, [new SignalWrite(purgedKey, 1, expires, 0)]);
        await now.SetOpinionAsync(p1, purgedKey, 2, 1);
        await now.ReadAsync(p1, [purgedKey], 1);
        await now.GetByStorageKeysAsync(p1, [purgedKey]);
        await now.RetractAsync(p1, purgedKey, 3);
        // Links of a media item, and the contributors read that counts its corroboration.
        await now.LinkAsync(p1, purgedKey, ["md5:0123456789abcdef0123456789abcdef"]);
        await now.ActiveContributorsAsync(p1, [purgedKey]);
        await now.ReadAsync(p1, [purgedKey], 1);
        // Revived: two contributors, expired by the sweep, then submitted again (the overflow hash is dropped).
        await now.SubmitAsync(p2, 1, [new SignalWrite(revivedKey, 1, expires, 0)]);
        await now.SubmitAsync(p2, 2, [new SignalWrite(revivedKey, 1, expires, 0)]);
        // A video, expired and purged with its frames (the purge looks for other distributions of the video).
        await now.StoreVideoAsync(p3, video);
        await now.SubmitAsync(p3, 1, [new SignalWrite(videoKey, 1, expires, 0)]);
        var firstSweep = await SweepAsync(later, p1, p2, p3);
        await later.SubmitAsync(p2, 3, [new SignalWrite(revivedKey, 1, 0, 0)]);
        var secondSweep = await SweepAsync(later, p1, p2, p3);
        var log = await monitor.StopAsync(mux);

        var db = mux.GetDatabase();
        Assert.Equal(3, firstSweep.Expired);
        Assert.Equal(2, secondSweep.Purged);
        Assert.False(await db.KeyExistsAsync(RedisKeys.SignalContributors(p1, purgedKey)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.SignalOpinions(p1, purgedKey)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.SignalLinks(p1, purgedKey)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.SignalContributors(p2, revivedKey)));
        var undeclared = Undeclared(log, out var scriptCommands);
        Assert.True(scriptCommands > 30, $"MONITOR showed only {scriptCommands} script commands");
        Assert.Empty(undeclared);
    }

    [Fact]
    public async Task A_videos_frames_outlive_its_records_by_the_grace_only_after_the_last_one_and_a_resubmission_keeps_them()
    {
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var now = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);
        var later = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(Options), new ShiftedClock(TimeSpan.FromDays(3650)));
        var muchLater = new SignalStore(mux, Microsoft.Extensions.Options.Options.Create(Options), new ShiftedClock(TimeSpan.FromDays(7300)));
        var (video, shared, p) = RandomVideo(now.PartitionCount, "");
        var grouped = SignalStorageKey.Create(NormalizedSignal.FromRaw(SignalKind.Vpdq, video.Identity), "g1");
        var frames = RedisKeys.VideoFrames(p, video.Identity);
        var db = mux.GetDatabase();
        await now.StoreVideoAsync(p, video);
        await now.SubmitAsync(p, 1, [new SignalWrite(shared, 1, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), 0)]);
        await now.SubmitAsync(p, 1, [new SignalWrite(grouped, 1, DateTimeOffset.UtcNow.AddDays(5000).ToUnixTimeSeconds(), 0)]);

        await SweepAsync(later, p);
        var afterFirst = await SweepAsync(later, p);                  // the coalition-wide record is purged, the group's lives
        var ttlWhileShared = await db.KeyTimeToLiveAsync(frames);
        await SweepAsync(muchLater, p);
        var afterLast = await SweepAsync(muchLater, p);               // the last distribution is purged
        var ttlAfterLast = await db.KeyTimeToLiveAsync(frames);
        await now.StoreVideoAsync(p, video);                          // a resubmission writes the frames again
        var ttlAfterResubmission = await db.KeyTimeToLiveAsync(frames);

        Assert.Equal(1, afterFirst.Purged);
        Assert.Null(ttlWhileShared);
        Assert.Equal(1, afterLast.Purged);
        Assert.NotNull(ttlAfterLast);
        Assert.InRange(ttlAfterLast.Value, TimeSpan.FromSeconds(1), SignalStore.VideoFramesGrace);
        Assert.True(await db.KeyExistsAsync(frames));
        Assert.Null(ttlAfterResubmission);
    }

    private static (VpdqFrameSet Video, byte[] Key, int Partition) RandomVideo(int partitions, string group)
    {
        var words = Enumerable.Range(0, 4).Select(_ => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8))).ToArray();
        var video = VpdqFrameSet.FromFeatures([new VpdqFeature(new Federation.Core.Pdq.PdqHash(words[0], words[1], words[2], words[3]), 100, 3, 0)]);
        var signal = NormalizedSignal.FromRaw(SignalKind.Vpdq, video.Identity);
        return (video, SignalStorageKey.Create(signal, group), signal.Partition(partitions));
    }

    private static async Task<(int Expired, int Purged)> SweepAsync(SignalStore store, params int[] partitions)
    {
        var (expired, purged) = (0, 0);
        foreach (var p in partitions.Distinct())
        {
            for (var b = 0; b < store.BucketsPerPartition;)
            {
                var (e, d, walked) = await store.SweepAsync(
                    p, b, Math.Min(Options.Signals.SweepBucketsPerCall, store.BucketsPerPartition - b), Options.Signals.SweepRecordsPerCall);
                expired += e;
                purged += d;
                b += walked;
            }
        }

        return (expired, purged);
    }

    private static (byte[] Key, int Partition) RandomKey(int partitions)
    {
        var signal = NormalizedSignal.FromRaw(SignalKind.Sha256, RandomNumberGenerator.GetBytes(32));
        return (SignalStorageKey.Create(signal, ""), signal.Partition(partitions));
    }

    // Each script command's keys against the KEYS of the script call logged before it.
    private static List<string> Undeclared(List<string> log, out int scriptCommands)
    {
        var undeclared = new List<string>();
        HashSet<string>? declared = null;
        scriptCommands = 0;
        foreach (var line in log)
        {
            var client = line.IndexOf('[', StringComparison.Ordinal);
            var tokens = Tokens(line[(line.IndexOf(']', client) + 1)..]);
            if (tokens.Count == 0)
            {
                continue;
            }

            var command = tokens[0].ToUpperInvariant();
            if (!line.AsSpan(client).StartsWith("[0 lua]"))
            {
                declared = command is "EVAL" or "EVALSHA" ? [.. tokens.Skip(3).Take(int.Parse(tokens[2], System.Globalization.CultureInfo.InvariantCulture))] : null;
                continue;
            }

            scriptCommands++;
            var keys = command switch
            {
                "DEL" => tokens.Skip(1),
                "HGET" or "HSET" or "HEXISTS" or "HINCRBY" or "HDEL" or "HLEN" or "HGETALL" or "HVALS" or "HKEYS" or "HMGET" or "XADD" or "GET" or "SET" or "PEXPIRE" or "EXPIRE"
                    or "SADD" or "SCARD" or "SMEMBERS" => tokens.Skip(1).Take(1),
                _ => throw new InvalidOperationException($"a script ran {command}: add its key positions to this test"),
            };
            undeclared.AddRange(keys.Where(k => declared?.Contains(k) != true).Select(k => $"{command} {k}"));
        }

        return undeclared;
    }

    // MONITOR quotes every argument, escaping with backslashes; the escaped forms are compared as they are.
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '"')
            {
                continue;
            }

            var token = new StringBuilder();
            for (i++; i < text.Length && text[i] != '"'; i++)
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    token.Append(text[i++]);
                }

                token.Append(text[i]);
            }

            tokens.Add(token.ToString());
        }

        return tokens;
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }

    /// <summary>A MONITOR connection of its own, collecting lines until a marker sent after the last call comes back.</summary>
    private sealed class Monitor : IDisposable
    {
        private readonly TcpClient client;
        private readonly StreamReader reader;
        private readonly string marker = "monitor-end-" + Guid.NewGuid().ToString("N");

        private Monitor(TcpClient client)
        {
            this.client = client;
            reader = new StreamReader(client.GetStream(), Encoding.Latin1);
        }

        public static async Task<Monitor> StartAsync(string connectionString)
        {
            var endpoint = connectionString.Split(',')[0].Split(':');
            var client = new TcpClient();
            await client.ConnectAsync(endpoint[0], int.Parse(endpoint[1], System.Globalization.CultureInfo.InvariantCulture));
            await client.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
            var monitor = new Monitor(client);
            Assert.Equal("+OK", await monitor.reader.ReadLineAsync());
            return monitor;
        }

        public async Task<List<string>> StopAsync(ConnectionMultiplexer mux)
        {
            await mux.GetDatabase().ExecuteAsync("ECHO", marker);
            var lines = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await reader.ReadLineAsync(timeout.Token) is { } line && !line.Contains(marker, StringComparison.Ordinal))
            {
                lines.Add(line);
            }

            return lines;
        }

        public void Dispose()
        {
            reader.Dispose();
            client.Dispose();
        }
    }
}
