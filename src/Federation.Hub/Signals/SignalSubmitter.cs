using Federation.Core.Feed;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Admission;
using Federation.Hub.Auth;
using Federation.Hub.Domain;
using Federation.Hub.Governance;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Submission of a batch: a slot of the replica's fair admission gate, admission (replay / rate limit), per-item validation with Federation.Core, duplicate
/// detection, then one dedup script call per partition, all partitions pipelined; the response is remembered under
/// the request id and the batch is counted for the audit log.
/// </summary>
public sealed class SignalSubmitter(
    SignalStore store,
    SignalAdmissionStore admission,
    MemberStore members,
    SubmissionAuditBatcher audit,
    Governance.TransparencyCounters report,
    FairAdmissionGate gate,
    IPdqMatcher pdq,
    IVideoMatcher videoMatcher,
    KnownBenignList benign,
    IOptions<FederationOptions> options,
    TimeProvider clock,
    HubMetrics metrics)
{
    private readonly SignalOptions signals = options.Value.Signals;
    private readonly FairnessOptions fairness = options.Value.Fairness;

    /// <summary>
    /// Submits one batch once the fair admission gate gives the member a slot (waiting in the member's queue until
    /// then, or until <paramref name="ct"/> ends the call); the request must have passed <see cref="SubmitRequestRules"/>.
    /// </summary>
    /// <exception cref="SubmitRateLimitedException">The member's rate limit does not admit the batch now.</exception>
    public async Task<SubmissionResult> SubmitAsync(Caller caller, string requestId, IReadOnlyList<SubmissionItem> items, CancellationToken ct)
    {
        using var slot = await gate.EnterAsync(caller.MemberId, items.Count, ct).ConfigureAwait(false);
        // The list's version is read together with the admission, in one round trip rather than two: a small batch's
        // latency is its round trips, and Redis is at its busiest when another member floods it (issue 12, item 8).
        var benignRead = benign.CurrentAsync();
        SignalAdmission admitted;
        BenignSnapshot benignList;
        try
        {
            admitted = await admission.AdmitAsync(caller.MemberId, requestId, items.Count).ConfigureAwait(false);
        }
        finally
        {
            // Observed on every path, so a failed read is never left unobserved.
            benignList = await benignRead.ConfigureAwait(false);
        }

        if (admitted.Replay is { } replay)
        {
            return Replayed(replay, items);
        }

        if (admitted.RetryAfter is { } wait)
        {
            metrics.RateLimitRefused("submit_rate");
            throw new SubmitRateLimitedException(wait);
        }

        var result = await StoreAsync(caller, items, benignList, ScriptCallPlan.For(slot.Yield, signals, fairness)).ConfigureAwait(false);
        if (await admission.RememberAsync(caller.MemberId, requestId, result).ConfigureAwait(false) is { } earlier)
        {
            // A concurrent duplicate of this batch finished first: answer as it did.
            return Replayed(earlier, items);
        }

        audit.Record(caller.MemberId, result.Counts);
        report.Submitted(caller.MemberId, items, result.Items);
        return result;
    }

    /// <summary>
    /// Like <see cref="SubmitAsync"/>, but waits out the rate limit instead of failing (bulk loads through SubmitStream);
    /// the gate's slot is given back while it waits.
    /// </summary>
    public async Task<SubmissionResult> SubmitWhenAdmittedAsync(Caller caller, string requestId, IReadOnlyList<SubmissionItem> items, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await SubmitAsync(caller, requestId, items, ct).ConfigureAwait(false);
            }
            catch (SubmitRateLimitedException e)
            {
                await Task.Delay(e.RetryAfter, clock, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<SubmissionResult> StoreAsync(Caller caller, IReadOnlyList<SubmissionItem> items, BenignSnapshot benignList, ScriptCallPlan plan)
    {
        var now = clock.GetUtcNow();
        var count = items.Count;
        var results = new SubmissionItemResult[count];
        var normalized = new NormalizedSignal[count];
        var groups = new string?[count];
        var categories = new CategorySet[count];
        var expires = new long[count];
        VpdqFrameSet?[]? videos = null;

        for (var i = 0; i < count; i++)
        {
            var item = items[i];
            groups[i] = item.SharingGroup;
            if (Validate(caller, item, i, now, out normalized[i], out categories[i], out expires[i], out var video) is { } rejected)
            {
                results[i] = rejected;
                normalized[i] = default;
            }
            else if (benignList.Match(normalized[i]) is { } hit)
            {
                results[i] = SubmissionItemResult.Rejected(i, HubErrorKind.FailedPrecondition, $"items[{i}].value", hit.RejectionDescription());
                normalized[i] = default;
            }
            else if (video is not null)
            {
                (videos ??= new VpdqFrameSet?[count])[i] = video;
            }
        }

        var duplicateOf = new int[count];
        if (SubmissionBatchRules.FindDuplicates(normalized, duplicateOf, groups) > 0)
        {
            for (var i = 0; i < count; i++)
            {
                if (duplicateOf[i] >= 0)
                {
                    var error = SubmissionBatchRules.DuplicateError(duplicateOf[i]);
                    results[i] = SubmissionItemResult.Rejected(i, HubErrorKind.InvalidArgument, $"items[{i}].value", $"{error.Rule}: {error.Message}");
                    normalized[i] = default;
                }
            }
        }

        foreach (var overfull in MediaItemLinks.Overfull(items, i => !normalized[i].IsDefault))
        {
            results[overfull.Index] = overfull;
            normalized[overfull.Index] = default;
        }

        // Group the accepted items by partition: one script call per partition, all in flight together (up to inFlight).
        var byPartition = new List<(int Index, SignalWrite Write)>?[store.PartitionCount];
        for (var i = 0; i < count; i++)
        {
            if (normalized[i].IsDefault)
            {
                continue;
            }

            var partition = normalized[i].Partition(store.PartitionCount);
            (byPartition[partition] ??= []).Add((i, new SignalWrite(
                SignalStorageKey.Create(normalized[i], groups[i] ?? ""),
                categories[i].Bits,
                expires[i],
                normalized[i].Kind == SignalKind.Pdq ? (int)(items[i].Quality ?? 0) : 0,
                (int?)items[i].Confidence,
                items[i].ShareLevel)));
        }

        // Every write of the batch joins one submission, acknowledged by the replicas (when asked) before the member hears of it.
        var submission = store.BeginSubmission();
        // Frames first (content-addressed, idempotent): a record and its feed entry never exist without them.
        await StoreVideosAsync(_ => true).ConfigureAwait(false);

        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        // At most plan.ItemsPerCall items per script call: Redis answers no one else while a script runs.
        var calls = new List<(int Partition, List<(int Index, SignalWrite Write)> Items)>();
        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } batch)
            {
                var size = plan.ItemsPerCall;
                for (var start = 0; start < batch.Count; start += size)
                {
                    calls.Add((p, batch.Count <= size ? batch : batch.GetRange(start, Math.Min(size, batch.Count - start))));
                }
            }
        }

        var inFlight = Math.Min(plan.InFlight, calls.Count);
        var sent = new Task<PartitionSubmitResult>[calls.Count];
        for (var c = 0; c < inFlight; c++)
        {
            sent[c] = store.SubmitAsync(calls[c].Partition, number, calls[c].Items.ConvertAll(b => b.Write), submission);
        }

        // Where this batch's feed entries landed: a look-up on another replica that passes it waits until that
        // replica's PDQ index has applied them (read-your-writes on every replica).
        var written = new FeedPosition[store.PartitionCount];
        var wroteAny = false;
        for (var c = 0; c < calls.Count; c++)
        {
            var (partition, batch) = calls[c];
            var (outcomes, position) = await sent[c].ConfigureAwait(false);
            if (c + inFlight < calls.Count)
            {
                var next = calls[c + inFlight];
                sent[c + inFlight] = store.SubmitAsync(next.Partition, number, next.Items.ConvertAll(b => b.Write), submission);
            }

            // A partition's later call may have run first (a call retried after a layout change): keep the latest entry.
            if (position > written[partition])
            {
                written[partition] = position;
                wroteAny = true;
            }

            for (var j = 0; j < batch.Count; j++)
            {
                var index = batch[j].Index;
                var signalId = normalized[index].Id;
                if (outcomes[j] == OverturnedOutcome)
                {
                    results[index] = SubmissionItemResult.Rejected(index, HubErrorKind.FailedPrecondition, $"items[{index}]",
                        $"signal.overturned: {SignalRecordId.Of(signalId, groups[index])} was overturned by the coalition (a false-positive quorum or an administrator) and cannot be submitted again; ask the coalition's administrators if you believe it is abuse");
                    continue;
                }

                results[index] = new SubmissionItemResult(index, (SubmissionOutcome)outcomes[j], signalId, SignalRecordId.Of(signalId, groups[index]), null);
                if (normalized[index].Kind == SignalKind.Pdq)
                {
                    // Stored and active: matchable on this replica before the member hears so, not only once the feed brings it.
                    pdq.Remember(normalized[index], groups[index] ?? "");
                }
                else if (videos?[index] is { } video)
                {
                    videoMatcher.Remember(normalized[index], groups[index] ?? "", video);
                }

            }
        }

        // Once more for the videos whose record this batch created: a purge of the same video's last tombstone between
        // the first write and the record set the frames to expire (SignalStore.VideoFramesGrace); this clears that.
        await StoreVideosAsync(i => results[i].Outcome == SubmissionOutcome.Created).ConfigureAwait(false);

        // Links of the hashes of one media item, before the batch is acknowledged (a link names records that now exist).
        var links = MediaItemLinks.Of(items, normalized, i => !normalized[i].IsDefault && results[i].Outcome != SubmissionOutcome.Rejected);
        if (links.Count > 0)
        {
            await Task.WhenAll(links.Select(l =>
                store.LinkAsync(normalized[l.Index].Partition(store.PartitionCount), SignalStorageKey.Create(normalized[l.Index], groups[l.Index] ?? ""), l.Linked, submission)))
                .ConfigureAwait(false);
        }

        await store.AcknowledgeAsync(submission).ConfigureAwait(false);
        metrics.Submitted(items, results);
        return new SubmissionResult(results, wroteAny ? FeedCursor.Encode(written) : null);

        // The frames of the batch's accepted videos for which include(index) holds, written together.
        Task StoreVideosAsync(Func<int, bool> include) => videos is null
            ? Task.CompletedTask
            : Task.WhenAll(Enumerable.Range(0, count)
                .Where(i => videos[i] is not null && !normalized[i].IsDefault && include(i))
                .Select(i => store.StoreVideoAsync(normalized[i].Partition(store.PartitionCount), videos[i]!, submission)));
    }

    // A remembered answer carries no signal or record ids (the store keeps outcomes and refusals only, a few bytes per
    // item): a retry carries the same items, so they are derived again from the retried request.
    private static SubmissionResult Replayed(SubmissionResult remembered, IReadOnlyList<SubmissionItem> items)
    {
        var results = new SubmissionItemResult[remembered.Items.Count];
        for (var r = 0; r < results.Length; r++)
        {
            var result = remembered.Items[r];
            if (result.Outcome != SubmissionOutcome.Rejected && result.Index < items.Count && SignalIdOf(items[result.Index]) is { } signalId)
            {
                result = result with { SignalId = signalId, RecordId = SignalRecordId.Of(signalId, items[result.Index].SharingGroup) };
            }

            results[r] = result;
        }

        return new SubmissionResult(results, remembered.ConsistencyToken, Replayed: true);
    }

    private static string? SignalIdOf(in SubmissionItem item)
    {
        if (item.Kind == SignalKind.Vpdq)
        {
            return VpdqSubmissionRules.TryBuild(item.VideoFrames, item.Value, "", out _, out var video, out _) ? video.Id : null;
        }

        return SignalNormalizer.TryNormalize(item.Kind, item.Value, item.KeyId, SignalNormalizer.MaxPdqQuality, 0, out var signal, out _) ? signal.Id : null;
    }

    private SubmissionItemResult? Validate(Caller caller, in SubmissionItem item, int index, DateTimeOffset now,
        out NormalizedSignal signal, out CategorySet categories, out long expiresAt, out VpdqFrameSet? video)
    {
        categories = CategorySet.Empty;
        expiresAt = 0;
        video = null;
        if (MediaItemLinks.CheckLabel(item.MediaItem, index) is { } badLabel)
        {
            signal = default;
            return badLabel;
        }

        if (item.Kind == SignalKind.Vpdq)
        {
            // The other types check the key id in SignalNormalizer, which a video's frames do not go through.
            if (!SignalKeyId.TryCheck(SignalRules.Get(SignalKind.Vpdq), item.KeyId, out var keyError))
            {
                signal = default;
                return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, $"items[{index}].{keyError.Field}", $"{keyError.Rule}: {keyError.Message}");
            }

            if (!VpdqSubmissionRules.TryBuild(item.VideoFrames, item.Value, $"items[{index}]", out video, out signal, out var videoError))
            {
                return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, videoError.Value.Field, videoError.Value.Description);
            }
        }
        else if (!SignalNormalizer.TryNormalize(item.Kind, item.Value, item.KeyId, item.Quality, signals.MinPdqQuality, out signal, out var valueError))
        {
            return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, $"items[{index}].{valueError.Field}", $"{valueError.Rule}: {valueError.Message}");
        }

        if (!CategoryValidation.TryCreate(item.Categories, out categories, out var error)
            || !ContributionLabels.TryValidate(item.Confidence, (int)item.ShareLevel, out error))
        {
            return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, $"items[{index}].{error.Field}", $"{error.Rule}: {error.Message}");
        }

        if (item.SharingGroup.Length > 0 && !caller.Member.InGroup(item.SharingGroup))
        {
            return SubmissionItemResult.Rejected(index, HubErrorKind.PermissionDenied, $"items[{index}].sharing_group",
                $"sharing_group.not_member: member '{caller.MemberId}' is not in sharing group '{item.SharingGroup}'; submit coalition-wide or ask the coalition administrator to add you to the group");
        }

        if (item.ExpiresAt is { } requested)
        {
            if (requested <= now)
            {
                return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, $"items[{index}].expires_at",
                    "expires_at.past: expires_at lies in the past (or is not a valid time); leave it unset for the coalition default retention or set a future time");
            }

            expiresAt = (long)Math.Ceiling(requested.ToUnixTimeMilliseconds() / 1000.0);
        }
        else if (signals.DefaultRetention > TimeSpan.Zero)
        {
            expiresAt = (now + signals.DefaultRetention).ToUnixTimeSeconds();
        }

        return null;
    }

    // The submit script's outcome for a record that is an OVERTURNED tombstone (signal_submit.lua): nothing was written.
    private const int OverturnedOutcome = 4;
}
