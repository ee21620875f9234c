using System.Runtime.CompilerServices;
using Federation.Core.Feed;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Options;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Signal records in Redis: bucketed listpack hashes per partition, one Lua call per partition per operation
/// (layout in <see cref="RedisKeys"/> and docs/signals.md). Every write that must be atomic — dedup,
/// corroboration, opinion, retraction, expiry, and the matching feed entry — happens inside one script call.
/// </summary>
public sealed class SignalStore(
    IConnectionMultiplexer redis, IOptions<FederationOptions> options, TimeProvider clock, HubMetrics? metrics = null, AcknowledgedWrites? writes = null)
{
    private readonly HubMetrics metrics = metrics ?? new HubMetrics();

    // A submission's writes (frames, records, links) wait for the configured replica acknowledgements; other writes do not.
    private readonly AcknowledgedWrites writes = writes ?? AcknowledgedWrites.None(redis);

    // Rings the cluster feed tail after each script that appended to a partition's feed (FeedBell).
    private readonly FeedBell bell = new(redis);

    // Every signal script starts with signal_record.lua: the packed record's rec_pack / rec_unpack.
    private static readonly AcknowledgedWrites.Script SubmitScript = new(WithRecord("signal_submit.lua"));
    private static readonly string ReadScript = WithRecord("signal_read.lua");
    private static readonly string OpinionScript = WithRecord("signal_opinion.lua");
    private static readonly string RetractScript = WithRecord("signal_retract.lua");
    private static readonly string ExpireScript = WithRecord("signal_expire.lua");
    private static readonly string PurgeScript = WithRecord("signal_purge.lua");
    private static readonly AcknowledgedWrites.Script LinkScript = new(LuaScripts.Load("signal_link.lua"));
    private static readonly string ContributorsScript = WithRecord("signal_contributors.lua");
    private static readonly string ScanScript = WithRecord("signal_scan.lua");

    // Hash classes one scan script call reads (each one or two buckets): the page size of the scans before.
    private const int ScanClassesPerCall = 32;

    /// <summary>
    /// How long a video's frames outlive the purge of its last record: longer than any submission takes between writing the
    /// frames and creating the record, so a concurrent resubmission keeps them (it writes them again, clearing the expiry).
    /// </summary>
    public static readonly TimeSpan VideoFramesGrace = TimeSpan.FromHours(1);

    private const int PurgeKeysPerTombstone = 6;

    /// <summary>Most signal ids one record is linked to (hashes of one media item; the proto says so).</summary>
    public const int MaxLinksPerRecord = 32;

    // Per submitted item the dedup script takes categories, expiry, quality, confidence and share level.
    private const int ArgsPerItem = 5;

    private readonly SignalOptions signals = options.Value.Signals;
    private readonly GovernanceOptions governance = options.Value.Governance;
    private readonly int feedMaxLength = options.Value.Feed.MaxEntriesPerPartition;

    // Every partition's keys built once (by RedisKeys) instead of two interpolated strings per signal per call:
    // halves what the store allocates per signal on the submit path (bench all: 184 → 92 B batched).
    private readonly PartitionKeys[] partitionKeys = PartitionKeys.Build(options.Value.Signals);

    /// <summary>Number of partitions (hash tags).</summary>
    public int PartitionCount => signals.Partitions;

    /// <summary>Record buckets per partition before the first split (the fixed layout of earlier versions).</summary>
    public int BucketsPerPartition => signals.BucketsPerPartition;

    /// <summary>Where each partition's records are: the bucket layout this replica assumes (shared with the splitter).</summary>
    public BucketLayout Layout { get; } = new(options.Value.Signals.Partitions, options.Value.Signals.BucketsPerPartition);

    /// <summary>The buckets one partition has now (n + s of its layout), for walks over all of them (the expiry sweep).</summary>
    public async Task<int> BucketCountAsync(int partition)
    {
        var (n, s) = await Layout.ReadAsync(redis.GetDatabase(), partition).ConfigureAwait(false);
        return n + s;
    }

    /// <summary>
    /// Starts a submission's writes: pass it to <see cref="SubmitAsync"/>, <see cref="LinkAsync"/> and
    /// <see cref="StoreVideoAsync"/>, then <see cref="AcknowledgeAsync"/> before answering the member.
    /// </summary>
    public AcknowledgedWrites.Pending BeginSubmission() => writes.Begin();

    /// <summary>
    /// Waits for the replicas to acknowledge a submission's writes (<see cref="Options.StoreOptions.ReplicaAcknowledgements"/>;
    /// nothing to wait for when none are asked).
    /// </summary>
    /// <exception cref="StoreReplicationException">Fewer replicas than asked acknowledged them in time: do not acknowledge the submission.</exception>
    public Task AcknowledgeAsync(AcknowledgedWrites.Pending submission) => writes.AcknowledgeAsync(submission);

    /// <summary>
    /// Runs the dedup script once for a member's submissions into one partition; returns one outcome per item
    /// (1 CREATED, 2 CORROBORATED, 3 UNCHANGED) and the last feed entry it appended. Callers start one call per
    /// partition and await them together, so the multiplexer pipelines them. Without <paramref name="submission"/> the
    /// replicas are waited for before it returns.
    /// </summary>
    public async Task<PartitionSubmitResult> SubmitAsync(int partition, long memberNumber, IReadOnlyList<SignalWrite> items, AcknowledgedWrites.Pending? submission = null)
    {
        using var timing = this.metrics.TimeStore("submit");
        // Every key the script may touch is declared (Redis requires it; a cluster proxy or a store that enforces it fails
        // otherwise): per item both buckets it may be in and its overflow contributors hash, whose name carries the storage key.
        var keys = new RedisKey[3 + (3 * items.Count)];
        var args = new RedisValue[5 + (ArgsPerItem * items.Count)];
        var cached = partitionKeys[partition];
        keys[0] = cached.Feed;
        keys[1] = cached.Stats;
        keys[2] = Layout.LayoutKey(partition);
        args[0] = clock.GetUtcNow().ToUnixTimeSeconds();
        args[1] = memberNumber;
        args[2] = feedMaxLength;
        args[3] = cached.ContributorsPrefixLength;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            keys[5 + (3 * i)] = RedisKeys.WithStorageKey(cached.ContributorsPrefix, item.StorageKey);
            var a = 5 + (ArgsPerItem * i);
            args[a] = item.Categories;
            args[a + 1] = item.ExpiresAtSeconds;
            args[a + 2] = item.Quality;
            args[a + 3] = SignalRecordCodec.StoredConfidence(item.Confidence);
            args[a + 4] = SignalRecordCodec.StoredShareLevel(item.ShareLevel);
        }

        var result = (RedisResult[])(await Layout.RunAsync(partition, n =>
        {
            args[4] = n;
            for (var i = 0; i < items.Count; i++)
            {
                (keys[3 + (3 * i)], keys[4 + (3 * i)]) = Layout.Candidates(partition, items[i].StorageKey, n);
            }

            return writes.EvaluateAsync(SubmitScript, keys, args, submission);
        }).ConfigureAwait(false))!;
        var written = result[1].IsNull ? FeedPosition.Zero : FeedPosition.Parse((string)result[1]!);
        if (!result[1].IsNull)
        {
            bell.Ring(partition);
        }

        return new PartitionSubmitResult((int[])result[0]!, written);
    }

    /// <summary>Reads records of one partition in one round trip; result[i] is null when the key holds no record.</summary>
    public async Task<SignalRecord?[]> GetByStorageKeysAsync(int partition, IReadOnlyList<byte[]> storageKeys)
    {
        using var timing = this.metrics.TimeStore("get");
        var reads = await ReadAsync(partition, storageKeys, memberNumber: 0).ConfigureAwait(false);
        var records = new SignalRecord?[reads.Length];
        // (ReadAsync has attached the frames of VPDQ records already.)
        for (var i = 0; i < reads.Length; i++)
        {
            records[i] = reads[i]?.Record;
        }

        return records;
    }

    /// <summary>
    /// Reads records of any partitions: one read per partition, all partitions in flight together; result[i] is null when
    /// <paramref name="keys"/>[i] holds no record.
    /// </summary>
    public async Task<SignalRecord?[]> GetManyAsync(IReadOnlyList<(int Partition, byte[] StorageKey)> keys)
    {
        var records = new SignalRecord?[keys.Count];
        var reads = Enumerable.Range(0, keys.Count).GroupBy(i => keys[i].Partition).Select(async partition =>
        {
            var indexes = partition.ToArray();
            var read = await GetByStorageKeysAsync(partition.Key, indexes.Select(i => keys[i].StorageKey).ToArray()).ConfigureAwait(false);
            for (var j = 0; j < indexes.Length; j++)
            {
                records[indexes[j]] = read[j];
            }
        });
        await Task.WhenAll(reads).ConfigureAwait(false);
        return records;
    }

    /// <summary>
    /// Reads records of one partition in one round trip together with the calling member's part in each
    /// (contributes? opinion?); result[i] is null when the key holds no record.
    /// </summary>
    public async Task<SignalRead?[]> ReadAsync(int partition, IReadOnlyList<byte[]> storageKeys, long memberNumber)
    {
        using var timing = this.metrics.TimeStore("read");
        if (storageKeys.Count == 0)
        {
            return [];
        }

        // With a caller the script also reads each record's contributors, opinions and links: declared too.
        var n = storageKeys.Count;
        var keys = new RedisKey[1 + (memberNumber == 0 ? 2 * n : 5 * n)];
        var args = new RedisValue[2 + n];
        var cached = partitionKeys[partition];
        keys[0] = Layout.LayoutKey(partition);
        args[0] = memberNumber;
        for (var i = 0; i < n; i++)
        {
            args[2 + i] = storageKeys[i];
            if (memberNumber != 0)
            {
                keys[1 + (2 * n) + i] = RedisKeys.WithStorageKey(cached.ContributorsPrefix, storageKeys[i]);
                keys[1 + (3 * n) + i] = RedisKeys.WithStorageKey(cached.OpinionsPrefix, storageKeys[i]);
                keys[1 + (4 * n) + i] = RedisKeys.WithStorageKey(cached.LinksPrefix, storageKeys[i]);
            }
        }

        var result = await EvaluateOnCandidatesAsync(ReadScript, partition, storageKeys, keys, args, modulusArg: 1).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var reads = new SignalRead?[storageKeys.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            var item = (RedisResult[])result[i]!;
            if (item[0].IsNull || item[0].Resp2Type == ResultType.Integer)
            {
                continue;
            }

            var record = SignalRecordCodec.Decode(storageKeys[i], (byte[])item[0]!, now);
            reads[i] = new SignalRead(record, (int)item[1] == 1, (int)item[2])
            {
                Links = item.Length > 3 && item[3].Resp2Type == ResultType.Array ? ((RedisResult[])item[3]!).Select(l => (string)l!).ToArray() : [],
            };
        }

        var records = reads.Select(r => r?.Record).ToArray();
        if (await AttachVideosAsync(partition, records).ConfigureAwait(false))
        {
            for (var i = 0; i < reads.Length; i++)
            {
                if (reads[i] is { } read)
                {
                    reads[i] = read with { Record = records[i]! };
                }
            }
        }

        return reads;
    }

    /// <summary>
    /// Every record of a partition with <see cref="SignalState.Active"/> (for SNAPSHOT and for loading the PDQ
    /// index), streamed in pages of hash classes, no ordering promise. With <paramref name="kind"/> only records of that
    /// kind, filtered inside Redis: a replica's PDQ index load reads only the PDQ records.
    /// </summary>
    public async IAsyncEnumerable<SignalRecord> ScanActiveAsync(int partition, [EnumeratorCancellation] CancellationToken ct, SignalKind? kind = null)
    {
        await foreach (var record in ScanAsync(partition, kind, ct).ConfigureAwait(false))
        {
            if (record.State == SignalState.Active)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// Every record of a partition whatever its state (retracted and expired tombstones too, for the TAXII catalog),
    /// streamed in pages of hash classes, no ordering promise.
    /// </summary>
    public IAsyncEnumerable<SignalRecord> ScanAllAsync(int partition, CancellationToken ct) => ScanAsync(partition, null, ct);

    /// <summary>
    /// Walks a partition by hash class (h mod n; signal_scan.lua reads each class's one or two buckets in one call, so a
    /// record the splitter moves meanwhile is seen exactly once). When the modulus doubles under the walk, the classes not
    /// read yet are split the same way and the walk goes on.
    /// </summary>
    private async IAsyncEnumerable<SignalRecord> ScanAsync(int partition, SignalKind? kind, [EnumeratorCancellation] CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var (n, _) = await Layout.ReadAsync(db, partition).ConfigureAwait(false);
        RedisValue filter = kind is { } k ? new[] { (byte)k } : "";
        var remaining = Enumerable.Range(0, n).ToList();
        var at = 0;
        for (var restarts = 0; at < remaining.Count;)
        {
            ct.ThrowIfCancellationRequested();
            var count = Math.Min(ScanClassesPerCall, remaining.Count - at);
            var keys = new RedisKey[1 + (2 * count)];
            keys[0] = Layout.LayoutKey(partition);
            for (var j = 0; j < count; j++)
            {
                keys[1 + j] = Layout.Bucket(partition, remaining[at + j]);
                keys[1 + count + j] = Layout.Bucket(partition, remaining[at + j] + n);
            }

            RedisResult[] result;
            try
            {
                result = (RedisResult[])(await db.ScriptEvaluateAsync(ScanScript, keys, [n, filter]).ConfigureAwait(false))!;
            }
            catch (RedisServerException e) when (BucketLayout.StaleModulus(e) is { } stored && restarts < 8)
            {
                Layout.Observe(partition, stored);
                if (stored > n && stored % n == 0)
                {
                    // Class c mod n is classes c, c + n, ... mod the new modulus.
                    remaining = remaining.Skip(at).SelectMany(c => Enumerable.Range(0, stored / n).Select(i => c + (i * n))).ToList();
                }
                else
                {
                    // The layout shrank: only after a FLUSHDB (tests). Start again.
                    remaining = Enumerable.Range(0, stored).ToList();
                    restarts++;
                }

                n = stored;
                at = 0;
                continue;
            }

            at += count;
            var now = clock.GetUtcNow();
            var records = new SignalRecord?[result.Length / 2];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = SignalRecordCodec.Decode((byte[])result[2 * i]!, (byte[])result[(2 * i) + 1]!, now);
            }

            await AttachVideosAsync(partition, records).ConfigureAwait(false);
            foreach (var record in records)
            {
                yield return record!;
            }
        }
    }

    /// <summary>
    /// Records, changes or withdraws (<paramref name="opinion"/> 0) a member's opinion of one record; the new counts may
    /// quarantine or overturn it (<see cref="GovernanceOptions"/>, in the same script call).
    /// </summary>
    public async Task<SignalChange> SetOpinionAsync(int partition, byte[] storageKey, long memberNumber, int opinion)
    {
        using var timing = this.metrics.TimeStore("opinion");
        var quarantine = governance.Quarantine;
        var result = (RedisResult[])(await EvaluateOnRecordAsync(
            OpinionScript,
            partition,
            storageKey,
            [
                RedisKeys.Feed(partition),
                default,
                RedisKeys.SignalOpinions(partition, storageKey),
                RedisKeys.SignalContributors(partition, storageKey),
                RedisKeys.QuarantineRegistry(partition),
                RedisKeys.SignalStats(partition),
                RedisKeys.PendingAppeals(partition),
                RedisKeys.SignalActions(partition, storageKey),
                RedisKeys.DisputedRegistry(partition),
            ],
            [
                storageKey, memberNumber, opinion, clock.GetUtcNow().ToUnixTimeSeconds(), feedMaxLength,
                quarantine.MinDisputes, (int)Math.Ceiling(quarantine.MinDisputeShare * 100), governance.FalsePositiveQuorum,
            ]).ConfigureAwait(false))!;
        bell.Ring(partition);
        var code = (int)result[0] switch
        {
            1 => SignalChangeCode.Changed,
            0 => SignalChangeCode.Unchanged,
            -1 => SignalChangeCode.NotFound,
            _ => SignalChangeCode.NotActive,
        };
        return new SignalChange(
            code, await WithVideoAsync(partition, Decode(storageKey, result)).ConfigureAwait(false), result.Length > 2 && (int)result[2] == 1, result.Length > 3 ? (int)result[3] : 0);
    }

    /// <summary>Withdraws a member's own contribution to one record.</summary>
    public async Task<SignalChange> RetractAsync(int partition, byte[] storageKey, long memberNumber)
    {
        using var timing = this.metrics.TimeStore("retract");
        var result = (RedisResult[])(await EvaluateOnRecordAsync(
            RetractScript,
            partition,
            storageKey,
            [
                RedisKeys.Feed(partition),
                default,
                RedisKeys.SignalContributors(partition, storageKey),
                RedisKeys.SignalStats(partition),
                RedisKeys.QuarantineRegistry(partition),
                RedisKeys.PendingAppeals(partition),
                RedisKeys.SignalActions(partition, storageKey),
            ],
            [storageKey, memberNumber, clock.GetUtcNow().ToUnixTimeSeconds(), feedMaxLength, SignalStatFields.For(SignalStatFields.Active, storageKey)]).ConfigureAwait(false))!;
        bell.Ring(partition);
        var code = (int)result[0] switch
        {
            4 or 5 => SignalChangeCode.Changed,
            -1 => SignalChangeCode.NotFound,
            -2 => SignalChangeCode.NotActive,
            _ => SignalChangeCode.NotContributor,
        };
        return new SignalChange(code, await WithVideoAsync(partition, Decode(storageKey, result)).ConfigureAwait(false), ContributedByCaller: false);
    }

    /// <summary>
    /// Takes <see cref="RedisKeys.SweepLease"/> for <paramref name="replica"/> when no replica holds it (<c>SET NX PX</c>):
    /// true when this replica runs the expiry sweep this round. The lease expires by itself after <paramref name="ttl"/>.
    /// </summary>
    public Task<bool> TryTakeSweepLeaseAsync(string replica, TimeSpan ttl) =>
        redis.GetDatabase().StringSetAsync(RedisKeys.SweepLease, replica, ttl, When.NotExists);

    /// <summary>
    /// Expires overdue records and purges old tombstones in buckets from <paramref name="firstBucket"/> on, at most
    /// <paramref name="count"/> of them, stopping before a bucket that would take the call past <paramref name="maxRecords"/>
    /// records (the first is always walked); returns how many buckets it walked. Idempotent.
    /// </summary>
    /// <remarks>
    /// Two script calls, because a script must be given every key it touches: the first expires records and names the
    /// tombstones due, the second deletes those with their side hashes, declared, checking each again (a submission
    /// between the calls may have revived it).
    /// </remarks>
    public async Task<(int Expired, int Purged, int Walked)> SweepAsync(int partition, int firstBucket, int count, int maxRecords)
    {
        using var timing = this.metrics.TimeStore("sweep");
        var keys = new RedisKey[3 + count];
        keys[0] = RedisKeys.Feed(partition);
        keys[1] = RedisKeys.SignalStats(partition);
        keys[2] = RedisKeys.QuarantineRegistry(partition);
        for (var b = 0; b < count; b++)
        {
            keys[3 + b] = RedisKeys.SignalBucket(partition, firstBucket + b);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var keep = (long)signals.TombstoneRetention.TotalSeconds;
        var db = redis.GetDatabase();
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(ExpireScript, keys, [now, feedMaxLength, keep, maxRecords]).ConfigureAwait(false))!;
        if ((int)result[0] > 0)
        {
            bell.Ring(partition); // expiries appended EXPIRED entries
        }

        var walked = (int)result[1];
        var due = (result.Length - 2) / 2;
        if (due == 0)
        {
            return ((int)result[0], 0, walked);
        }

        var cached = partitionKeys[partition];
        var purgeKeys = new RedisKey[(PurgeKeysPerTombstone * due) + 1];
        purgeKeys[^1] = RedisKeys.DisputedRegistry(partition);
        var purgeArgs = new RedisValue[3 + due];
        purgeArgs[0] = now;
        purgeArgs[1] = keep;
        purgeArgs[2] = (long)VideoFramesGrace.TotalSeconds;
        for (var i = 0; i < due; i++)
        {
            var field = (byte[])result[3 + (2 * i)]!;
            var k = PurgeKeysPerTombstone * i;
            purgeKeys[k] = keys[(int)result[2 + (2 * i)] - 1];
            purgeKeys[k + 1] = RedisKeys.WithStorageKey(cached.ContributorsPrefix, field);
            purgeKeys[k + 2] = RedisKeys.WithStorageKey(cached.OpinionsPrefix, field);
            purgeKeys[k + 3] = RedisKeys.WithStorageKey(cached.ActionsPrefix, field);
            purgeKeys[k + 4] = RedisKeys.WithStorageKey(cached.LinksPrefix, field);
            // The video's frames key, named by identity (the storage key's bytes 1-32); touched only for a VPDQ tombstone.
            purgeKeys[k + 5] = RedisKeys.VideoFrames(partition, field.AsSpan(1, Math.Min(32, field.Length - 1)));
            purgeArgs[3 + i] = field;
        }

        var purged = (int)(await db.ScriptEvaluateAsync(PurgeScript, purgeKeys, purgeArgs).ConfigureAwait(false));
        return ((int)result[0], purged, walked);
    }

    /// <summary>
    /// Links one record to the signal ids of the other hashes of its media item (kept up to <see cref="MaxLinksPerRecord"/>);
    /// idempotent. Written after the record's submit script, before the batch is acknowledged.
    /// </summary>
    public Task LinkAsync(int partition, byte[] storageKey, IReadOnlyList<string> linkedIds, AcknowledgedWrites.Pending? submission = null)
    {
        var args = new RedisValue[1 + linkedIds.Count];
        args[0] = MaxLinksPerRecord;
        for (var i = 0; i < linkedIds.Count; i++)
        {
            args[1 + i] = linkedIds[i];
        }

        return writes.EvaluateAsync(LinkScript, [RedisKeys.WithStorageKey(partitionKeys[partition].LinksPrefix, storageKey)], args, submission);
    }

    // Runs a script that reads records by storage key: KEYS[2..n+1] and KEYS[n+2..2n+1] are each key's two candidate
    // buckets and ARGV[modulusArg] the modulus they follow, filled in again when the layout moved on (BucketLayout.RunAsync).
    private async Task<RedisResult[]> EvaluateOnCandidatesAsync(string script, int partition, IReadOnlyList<byte[]> storageKeys, RedisKey[] keys, RedisValue[] args, int modulusArg)
    {
        var n = storageKeys.Count;
        return (RedisResult[])(await Layout.RunAsync(partition, modulus =>
        {
            args[modulusArg] = modulus;
            for (var i = 0; i < n; i++)
            {
                (keys[1 + i], keys[1 + n + i]) = Layout.Candidates(partition, storageKeys[i], modulus);
            }

            return redis.GetDatabase().ScriptEvaluateAsync(script, keys, args);
        }).ConfigureAwait(false))!;
    }

    /// <summary>The member numbers backing each of one partition's records now (empty for a missing or inactive record).</summary>
    public async Task<long[][]> ActiveContributorsAsync(int partition, IReadOnlyList<byte[]> storageKeys)
    {
        var n = storageKeys.Count;
        var keys = new RedisKey[1 + (3 * n)];
        var args = new RedisValue[1 + n];
        var cached = partitionKeys[partition];
        keys[0] = Layout.LayoutKey(partition);
        for (var i = 0; i < n; i++)
        {
            keys[1 + (2 * n) + i] = RedisKeys.WithStorageKey(cached.ContributorsPrefix, storageKeys[i]);
            args[1 + i] = storageKeys[i];
        }

        var result = await EvaluateOnCandidatesAsync(ContributorsScript, partition, storageKeys, keys, args, modulusArg: 0).ConfigureAwait(false);
        return result.Select(r => ((RedisResult[])r!).Select(m => (long)m).ToArray()).ToArray();
    }

    /// <summary>Counters summed over partitions: field <c>t&lt;kind&gt;[:group]</c> created, <c>a&lt;kind&gt;[:group]</c> active; plus feed length.</summary>
    public async Task<(Dictionary<string, long> Counters, long FeedEntries)> GetCountersAsync()
    {
        var db = redis.GetDatabase();
        var stats = new Task<HashEntry[]>[PartitionCount];
        var feeds = new Task<long>[PartitionCount];
        for (var p = 0; p < PartitionCount; p++)
        {
            stats[p] = db.HashGetAllAsync(RedisKeys.SignalStats(p));
            feeds[p] = db.StreamLengthAsync(RedisKeys.Feed(p));
        }

        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        long feedEntries = 0;
        for (var p = 0; p < PartitionCount; p++)
        {
            foreach (var entry in await stats[p].ConfigureAwait(false))
            {
                var name = entry.Name.ToString();
                counters[name] = counters.GetValueOrDefault(name) + (long)entry.Value;
            }

            feedEntries += await feeds[p].ConfigureAwait(false);
        }

        return (counters, feedEntries);
    }

    /// <summary>
    /// Stores the frames of a video (VPDQ) under its identity before its record is submitted, so that no record and no
    /// feed entry exists without them, and again after a submission created the record (a purge of the video's last
    /// tombstone in between gives the frames <see cref="VideoFramesGrace"/>; this write clears that). Idempotent: the key
    /// is content-addressed (the same identity always has the same bytes).
    /// </summary>
    public Task StoreVideoAsync(int partition, VpdqFrameSet video, AcknowledgedWrites.Pending? submission = null) =>
        writes.SetAsync(RedisKeys.VideoFrames(partition, video.Identity), video.Encode(), submission);

    /// <summary>The stored frames of one video (VPDQ signal), or null when none are stored.</summary>
    public async Task<VpdqFrameSet?> GetVideoAsync(int partition, NormalizedSignal video)
    {
        var value = await redis.GetDatabase().StringGetAsync(RedisKeys.VideoFrames(partition, video.RawBytes)).ConfigureAwait(false);
        return value.IsNull ? null : VpdqFrameSet.Decode((byte[])value!);
    }

    // Reads the frames of the VPDQ records in place (one MGET per partition, only when there are any); true when it did.
    private async Task<bool> AttachVideosAsync(int partition, SignalRecord?[] records)
    {
        List<int>? videos = null;
        for (var i = 0; i < records.Length; i++)
        {
            if (records[i] is { Signal.Kind: SignalKind.Vpdq })
            {
                (videos ??= []).Add(i);
            }
        }

        if (videos is null)
        {
            return false;
        }

        var keys = videos.Select(i => RedisKeys.VideoFrames(partition, records[i]!.Signal.RawBytes)).ToArray();
        var values = await redis.GetDatabase().StringGetAsync(keys).ConfigureAwait(false);
        for (var j = 0; j < videos.Count; j++)
        {
            if (!values[j].IsNull)
            {
                records[videos[j]] = records[videos[j]]! with { Video = VpdqFrameSet.Decode((byte[])values[j]!) };
            }
        }

        return true;
    }

    private async Task<SignalRecord?> WithVideoAsync(int partition, SignalRecord? record)
    {
        if (record is not { Signal.Kind: SignalKind.Vpdq })
        {
            return record;
        }

        var records = new[] { record };
        await AttachVideosAsync(partition, records).ConfigureAwait(false);
        return records[0];
    }

    /// <summary>A signal script with what every one starts with: the stats prelude and signal_record.lua (packed records, governance helpers).</summary>
    internal static string WithRecord(string script) => SignalStatFields.LuaPrelude + LuaScripts.Load("signal_record.lua") + LuaScripts.Load(script);

    /// <summary>
    /// Runs a script about one record whose <c>KEYS[bucketIndex + 1]</c> is its bucket (<paramref name="keys"/>[<paramref
    /// name="bucketIndex"/>], filled here): appends the bucket at twice the modulus, the layout key and the modulus, which the
    /// script's <c>layout_one</c> uses to pick the record's bucket (signal_record.lua); calls again when the layout moved on.
    /// </summary>
    internal Task<RedisResult> EvaluateOnRecordAsync(string script, int partition, byte[] storageKey, RedisKey[] keys, RedisValue[] args, int bucketIndex = 1)
    {
        var allKeys = new RedisKey[keys.Length + 2];
        keys.CopyTo(allKeys, 0);
        allKeys[^1] = Layout.LayoutKey(partition);
        var allArgs = new RedisValue[args.Length + 1];
        args.CopyTo(allArgs, 0);
        return Layout.RunAsync(partition, n =>
        {
            (allKeys[bucketIndex], allKeys[^2]) = Layout.Candidates(partition, storageKey, n);
            allArgs[^1] = n;
            return redis.GetDatabase().ScriptEvaluateAsync(script, allKeys, allArgs);
        });
    }

    /// <summary>Decodes the packed record a script returned as <paramref name="result"/>[1], with a VPDQ record's frames.</summary>
    internal async Task<SignalRecord?> DecodeResultAsync(int partition, byte[] storageKey, RedisResult[] result) =>
        await WithVideoAsync(partition, Decode(storageKey, result)).ConfigureAwait(false);

    private SignalRecord? Decode(byte[] storageKey, RedisResult[] result) =>
        result.Length > 1 && !result[1].IsNull ? SignalRecordCodec.Decode(storageKey, (byte[])result[1]!, clock.GetUtcNow()) : null;

    /// <summary>One partition's fixed keys and key prefixes, built by <see cref="RedisKeys"/> once per store.</summary>
    private sealed record PartitionKeys(RedisKey Feed, RedisKey Stats, RedisKey ContributorsPrefix, RedisKey OpinionsPrefix, RedisKey ActionsPrefix, RedisKey LinksPrefix)
    {
        /// <summary>Where the storage key starts inside a contributors key (the submit script reads it back from there).</summary>
        public int ContributorsPrefixLength { get; } = ((byte[])ContributorsPrefix!).Length;

        public static PartitionKeys[] Build(SignalOptions signals)
        {
            var all = new PartitionKeys[signals.Partitions];
            for (var p = 0; p < all.Length; p++)
            {
                all[p] = new PartitionKeys(
                    RedisKeys.Feed(p), RedisKeys.SignalStats(p), RedisKeys.SignalContributorsPrefix(p), RedisKeys.SignalOpinionsPrefix(p),
                    RedisKeys.SignalActionsPrefix(p), RedisKeys.SignalLinksPrefix(p));
            }

            return all;
        }
    }
}
