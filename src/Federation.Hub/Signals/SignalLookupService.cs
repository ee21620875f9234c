using Federation.Core.Feed;
using Federation.Core.Governance;
using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Admission;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Governance;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Batch look-up: every query becomes candidate storage keys (the hash itself, or the PDQ matcher's candidates,
/// each in coalition-wide form plus one per sharing group of the caller), read with one script call per partition,
/// all partitions pipelined. Only ACTIVE records are returned, with the caller's own part filled in; a quarantined one
/// only to its contributors and administrators (status QUARANTINED).
/// </summary>
public sealed class SignalLookupService(
    SignalStore store, MemberStore members, IPdqMatcher pdq, IVideoMatcher videos, FairAdmissionGate gate, KnownBenignList benign, MatchRateMonitor matchRate,
    IOptions<FederationOptions> options)
{
    private const int DefaultMaxMatches = 10;
    private const int MaxMatches = 100;
    private readonly SignalOptions signals = options.Value.Signals;

    /// <summary>
    /// Answers a batch that passed <see cref="LookupRequestRules.Validate"/> once the fair admission gate gives
    /// the member a slot (or <paramref name="ct"/> ends the call while it waits).
    /// </summary>
    /// <remarks>Only matches that pass the label bounds are returned (checked by the caller with <see cref="LookupRequestRules.Validate"/>).</remarks>
    public async Task<IReadOnlyList<LookupItemResult>> LookupAsync(
        Caller caller, IReadOnlyList<LookupItem> queries, IReadOnlyList<string> consistencyTokens, int minConfidence, TlpLevel maxShareLevel, CancellationToken ct)
    {
        var mustReach = ConsistencyPositions(consistencyTokens, store.PartitionCount);
        using var slot = await gate.EnterAsync(caller.MemberId, queries.Count, ct).ConfigureAwait(false);
        if (mustReach is not null)
        {
            // Each index a query reads must have applied the token's writes: PDQ near-match and a video's frames matched
            // against images read the PDQ index; a video query and an image's frames matched against videos the video index.
            if (queries.Any(q => q.Kind == SignalKind.Pdq || (q.Kind == SignalKind.Vpdq && q.CrossMedia)))
            {
                await pdq.WaitForAsync(mustReach, signals.PdqConsistencyWait, ct).ConfigureAwait(false);
            }

            if (queries.Any(q => q.Kind == SignalKind.Vpdq || (q.Kind == SignalKind.Pdq && q.CrossMedia)))
            {
                await videos.WaitForAsync(mustReach, signals.PdqConsistencyWait, ct).ConfigureAwait(false);
            }
        }

        var results = new LookupItemResult[queries.Count];
        var byPartition = new List<(int Query, int Distance, byte[] Key)>?[store.PartitionCount];
        var maxMatches = new int[queries.Count];
        var videoQueries = new VideoQuery?[queries.Count];
        // Cross-media candidates: (query, storage key) → the video frame's timestamp.
        var timestamps = new Dictionary<(int Query, NormalizedSignal Signal), uint>();
        var benignList = await benign.CurrentAsync().ConfigureAwait(false);
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            results[i] = new LookupItemResult(i);
            if (query.MaxMatches > MaxMatches)
            {
                results[i].Refusal = new ItemRefusal(HubErrorKind.InvalidArgument, $"queries[{i}].max_matches",
                    $"lookup.max_matches: a query returns at most {MaxMatches} matches; got {query.MaxMatches}. Ask for {MaxMatches} or fewer (0 means the default, {DefaultMaxMatches})");
                continue;
            }

            if (query.Kind == SignalKind.Vpdq && query.VideoFrames is { Count: > 0 })
            {
                // A near-match query does not go through SignalNormalizer, which checks the key id of every other query.
                if (!SignalKeyId.TryCheck(SignalRules.Get(SignalKind.Vpdq), query.KeyId, out var keyError))
                {
                    results[i].Refusal = InvalidQuery(i, keyError);
                }
                else if (VideoQuery.TryCreate(query, i, signals.MaxPdqDistance, out var video, out var videoError))
                {
                    videoQueries[i] = video;
                    maxMatches[i] = query.MaxMatches == 0 ? DefaultMaxMatches : (int)query.MaxMatches;
                    var found = FindVideoCandidates(caller, query, i, video, timestamps);
                    AddCandidates(byPartition, caller, i, found);
                }
                else
                {
                    results[i].Refusal = videoError;
                }

                continue;
            }

            // Quality is a property of a submission, not of a query: accept any.
            if (!SignalNormalizer.TryNormalize(query.Kind, query.Value, query.KeyId, SignalNormalizer.MaxPdqQuality, 0, out var signal, out var error))
            {
                results[i].Refusal = InvalidQuery(i, error);
                continue;
            }

            if (benignList.Match(signal) is { } hit)
            {
                results[i].Benign = hit;
            }

            IReadOnlyList<PdqCandidate> candidates;
            if (signal.Kind == SignalKind.Pdq)
            {
                maxMatches[i] = query.MaxMatches == 0 ? DefaultMaxMatches : (int)Math.Min(query.MaxMatches, MaxMatches);
                var distance = query.MaxDistance is { } max ? (int)Math.Min(max, (uint)signals.MaxPdqDistance) : signals.DefaultPdqDistance;
                candidates = pdq.FindCandidates(signal, distance, maxMatches[i], caller.Member.Groups);
                if (query.CrossMedia)
                {
                    var hash = PdqHash.FromBytes(signal.RawBytes);
                    var withFrame = videos.FindVideosWithFrame(hash, distance, VpdqMatcher.DefaultMinQuality, caller.Member.Groups);
                    var all = candidates.ToList();
                    foreach (var (video, frameDistance, timestamp) in withFrame.Take(maxMatches[i]))
                    {
                        all.Add(new PdqCandidate(video, frameDistance));
                        timestamps[(i, video)] = timestamp;
                    }

                    candidates = all;
                }
            }
            else
            {
                maxMatches[i] = int.MaxValue;
                candidates = [new PdqCandidate(signal, 0)];
            }

            AddCandidates(byPartition, caller, i, candidates);
        }

        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var reads = new List<(int Partition, List<(int Query, int Distance, byte[] Key)> Items, Task<SignalRead?[]> Records)>();
        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } items)
            {
                reads.Add((p, items, store.ReadAsync(p, items.ConvertAll(x => x.Key), number)));
            }
        }

        foreach (var (partition, items, pending) in reads)
        {
            var records = await pending.ConfigureAwait(false);
            for (var j = 0; j < items.Count; j++)
            {
                if (records[j] is { Record.State: SignalState.Active } read && read.Record.IsVisibleTo(caller.Member.Groups)
                    && (!read.Record.Quarantined || read.ContributedByCaller || caller.IsAdministrator)
                    && ContributionLabels.Passes(read.Record.Confidence, read.Record.ShareLevel, minConfidence, maxShareLevel))
                {
                    var query = items[j].Query;
                    VideoMatchShares? shares = null;
                    if (videoQueries[query] is { } video && read.Record.Signal.Kind == SignalKind.Vpdq)
                    {
                        // The reference rule decides: a candidate shares a frame, a match reaches both thresholds.
                        if (read.Record.Video is not { } stored || video.Score(stored) is not { } score)
                        {
                            continue;
                        }

                        shares = score;
                    }

                    uint? frameTimestamp = timestamps.TryGetValue((query, read.Record.Signal), out var timestamp) ? timestamp : null;
                    results[query].Matches.Add(new LookupHit(
                        read.Record, read.ContributedByCaller, read.CallerOpinion, items[j].Distance, shares, frameTimestamp, read.Links, read.Record.CorroborationCount));
                    matchRate.Count(partition, items[j].Key);
                }
            }
        }

        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Matches.Count > 1)
            {
                // Video matches best shares first, then the rest (cross-media matches included) nearest first.
                var ordered = results[i].Matches
                    .OrderBy(m => m.Video is null ? 1 : 0)
                    .ThenByDescending(m => m.Video?.QueryPercent ?? 0)
                    .ThenByDescending(m => m.Video?.TargetPercent ?? 0)
                    .ThenBy(m => m.Distance)
                    .Take(maxMatches[i])
                    .ToArray();
                results[i].Matches.Clear();
                results[i].Matches.AddRange(ordered);
            }
        }

        await CountItemCorroborationAsync(results).ConfigureAwait(false);
        return results;
    }

    // A match linked to other hashes of its media item counts the members backing any of them, each once: one read of the
    // contributors of the record and its linked records per partition, only when a returned match has links.
    private async Task CountItemCorroborationAsync(LookupItemResult[] results)
    {
        var linkedHits = results.SelectMany(r => r.Matches.Select((hit, m) => (Result: r, Match: m, Hit: hit))).Where(x => x.Hit.LinkedSignalIds.Count > 0).ToList();
        if (linkedHits.Count == 0)
        {
            return;
        }

        // Every record whose contributors count: the matched records and their linked ones, in the matched record's group.
        var wanted = new Dictionary<(int Partition, string Key), int>();
        var byPartition = new List<byte[]>?[store.PartitionCount];
        var recordsOfHit = new List<int>[linkedHits.Count];
        for (var h = 0; h < linkedHits.Count; h++)
        {
            var hit = linkedHits[h].Hit;
            recordsOfHit[h] = [];
            var signals = hit.LinkedSignalIds.Select(id => NormalizedSignal.TryParseId(id, out var linked) ? linked : default).Where(s => !s.IsDefault).Prepend(hit.Record.Signal);
            foreach (var signal in signals)
            {
                var partition = signal.Partition(store.PartitionCount);
                var key = SignalStorageKey.Create(signal, hit.Record.SharingGroup);
                var name = (partition, Convert.ToBase64String(key));
                if (!wanted.TryGetValue(name, out var slot))
                {
                    var list = byPartition[partition] ??= [];
                    slot = wanted[name] = (partition << 20) | list.Count;
                    list.Add(key);
                }

                recordsOfHit[h].Add(slot);
            }
        }

        var contributors = new long[store.PartitionCount][][];
        await Task.WhenAll(Enumerable.Range(0, store.PartitionCount).Where(p => byPartition[p] is not null)
            .Select(async p => contributors[p] = await store.ActiveContributorsAsync(p, byPartition[p]!).ConfigureAwait(false))).ConfigureAwait(false);
        for (var h = 0; h < linkedHits.Count; h++)
        {
            var members = new HashSet<long>();
            foreach (var slot in recordsOfHit[h])
            {
                members.UnionWith(contributors[slot >> 20][slot & 0xFFFFF]);
            }

            var (result, match, hit) = linkedHits[h];
            result.Matches[match] = hit with { ItemCorroboration = members.Count };
        }
    }

    private static ItemRefusal InvalidQuery(int index, SignalValidationError error) =>
        new(HubErrorKind.InvalidArgument, $"queries[{index}].{error.Field}", $"{error.Rule}: {error.Message}");

    // The latest position per partition over every token: waiting for it waits for all of them.
    private static FeedPosition[]? ConsistencyPositions(IReadOnlyList<string> tokens, int partitions)
    {
        if (tokens.Count == 0)
        {
            return null;
        }

        var latest = new FeedPosition[partitions];
        for (var t = 0; t < tokens.Count; t++)
        {
            if (!FeedCursor.TryDecode(tokens[t], out var positions, out var error) || positions.Length != partitions)
            {
                throw HubErrors.InvalidArgument($"consistency_tokens[{t}]", positions.Length == 0
                    ? $"not a consistency token ({error}); pass SubmitResponse.consistency_token exactly as the hub sent it"
                    : $"the token names {positions.Length} partitions but this hub has {partitions}; it was not issued by this coalition's hub");
            }

            for (var p = 0; p < partitions; p++)
            {
                latest[p] = positions[p] > latest[p] ? positions[p] : latest[p];
            }
        }

        return latest;
    }

    private void AddCandidates(List<(int Query, int Distance, byte[] Key)>?[] byPartition, Caller caller, int query, IEnumerable<PdqCandidate> candidates)
    {
        foreach (var candidate in candidates)
        {
            var list = byPartition[candidate.Signal.Partition(store.PartitionCount)] ??= [];
            list.Add((query, candidate.Distance, SignalStorageKey.Create(candidate.Signal, "")));
            foreach (var group in caller.Member.Groups)
            {
                list.Add((query, candidate.Distance, SignalStorageKey.Create(candidate.Signal, group)));
            }
        }
    }

    // The stored videos sharing a frame with the query (scored once read), and with cross_media the stored images
    // near one of its frames (with that frame's timestamp).
    private List<PdqCandidate> FindVideoCandidates(Caller caller, in LookupItem query, int index, VideoQuery video, Dictionary<(int, NormalizedSignal), uint> timestamps)
    {
        var found = videos.FindCandidates(video.Frames, video.MaxFrameDistance, video.MinQuality, caller.Member.Groups)
            .Select(v => new PdqCandidate(v, 0))
            .ToList();
        if (query.CrossMedia)
        {
            var images = new Dictionary<NormalizedSignal, (int Distance, uint Timestamp)>();
            foreach (var frame in video.Frames.Features)
            {
                if (frame.Quality < video.MinQuality)
                {
                    continue;
                }

                var pdqQuery = NormalizedSignal.FromRaw(SignalKind.Pdq, ToBytes(frame.Hash));
                foreach (var image in pdq.FindCandidates(pdqQuery, video.MaxFrameDistance, MaxMatches, caller.Member.Groups))
                {
                    if (!images.TryGetValue(image.Signal, out var best) || image.Distance < best.Distance)
                    {
                        images[image.Signal] = (image.Distance, frame.FirstTimestampMs);
                    }
                }
            }

            foreach (var (image, (distance, timestamp)) in images)
            {
                found.Add(new PdqCandidate(image, distance));
                timestamps[(index, image)] = timestamp;
            }
        }

        return found;
    }

    private static byte[] ToBytes(in PdqHash hash)
    {
        var bytes = new byte[PdqHash.ByteLength];
        hash.WriteBytes(bytes);
        return bytes;
    }
}
