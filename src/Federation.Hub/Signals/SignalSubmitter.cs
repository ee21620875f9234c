using Federation.Contracts.V1;
using Federation.Core.Feed;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Core.Vpdq;
using Federation.Hub.Admission;
using Federation.Hub.Auth;
using Federation.Hub.Governance;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;
using Grpc.Core;
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
    // Script calls a heavy member's batch keeps in flight while others are active (FairAdmissionGate.Lease.Yield): each
    // other member's Redis command then waits behind at most this many of its calls, not behind the whole batch.
    private const int YieldingScriptCalls = 2;

    private readonly SignalOptions signals = options.Value.Signals;

    /// <summary>
    /// Submits one batch once the fair admission gate gives the member a slot (waiting in the member's queue until
    /// then, or until <paramref name="ct"/> ends the call); the request must have passed <see cref="SubmitRequestRules"/>.
    /// </summary>
    /// <exception cref="SubmitRateLimitedException">The member's rate limit does not admit the batch now.</exception>
    public async Task<SubmitResponse> SubmitAsync(Caller caller, string requestId, IReadOnlyList<SignalSubmission> items, CancellationToken ct)
    {
        using var slot = await gate.EnterAsync(caller.MemberId, items.Count, ct).ConfigureAwait(false);
        var admitted = await admission.AdmitAsync(caller.MemberId, requestId, items.Count).ConfigureAwait(false);
        if (admitted.Replay is { } replay)
        {
            return Replayed(replay, items);
        }

        if (admitted.RetryAfter is { } wait)
        {
            metrics.RateLimitRefused("submit_rate");
            throw new SubmitRateLimitedException(wait);
        }

        var response = await StoreAsync(caller, items, slot.Yield ? YieldingScriptCalls : int.MaxValue).ConfigureAwait(false);
        if (await admission.RememberAsync(caller.MemberId, requestId, Compact(response)).ConfigureAwait(false) is { } earlier)
        {
            // A concurrent duplicate of this batch finished first: answer as it did.
            return Replayed(earlier, items);
        }

        audit.Record(caller.MemberId, response.Summary);
        report.Submitted(caller.MemberId, items, response.Results);
        return response;
    }

    /// <summary>
    /// Like <see cref="SubmitAsync"/>, but waits out the rate limit instead of failing (bulk loads through SubmitStream);
    /// the gate's slot is given back while it waits.
    /// </summary>
    public async Task<SubmitResponse> SubmitWhenAdmittedAsync(Caller caller, string requestId, IReadOnlyList<SignalSubmission> items, CancellationToken ct)
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

    private async Task<SubmitResponse> StoreAsync(Caller caller, IReadOnlyList<SignalSubmission> items, int inFlight)
    {
        var now = clock.GetUtcNow();
        var count = items.Count;
        var results = new SubmitResult[count];
        var normalized = new NormalizedSignal[count];
        var groups = new string?[count];
        var categories = new CategorySet[count];
        var expires = new long[count];
        VpdqFrameSet?[]? videos = null;
        var benignList = await benign.CurrentAsync().ConfigureAwait(false);

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
                results[i] = Rejected(i, StatusCode.FailedPrecondition, $"items[{i}].value", hit.RejectionDescription());
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
                    results[i] = Rejected(i, StatusCode.InvalidArgument, $"items[{i}].value", $"{error.Rule}: {error.Message}");
                    normalized[i] = default;
                }
            }
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
                normalized[i].Kind == SignalKind.Pdq ? (int)items[i].Quality : 0,
                items[i].HasConfidence ? (int)items[i].Confidence : null,
                (TlpLevel)items[i].ShareLevel)));
        }

        if (videos is not null)
        {
            // Frames first (content-addressed, idempotent): a record and its feed entry never exist without them.
            var writes = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                if (videos[i] is { } video && !normalized[i].IsDefault)
                {
                    writes.Add(store.StoreVideoAsync(normalized[i].Partition(store.PartitionCount), video));
                }
            }

            await Task.WhenAll(writes).ConfigureAwait(false);
        }

        var number = await members.NumberOfAsync(caller.Member).ConfigureAwait(false);
        var calls = new List<(int Partition, List<(int Index, SignalWrite Write)> Items)>();
        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } batch)
            {
                calls.Add((p, batch));
            }
        }

        inFlight = Math.Min(inFlight, calls.Count);
        var sent = new Task<PartitionSubmitResult>[calls.Count];
        for (var c = 0; c < inFlight; c++)
        {
            sent[c] = store.SubmitAsync(calls[c].Partition, number, calls[c].Items.ConvertAll(b => b.Write));
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
                sent[c + inFlight] = store.SubmitAsync(next.Partition, number, next.Items.ConvertAll(b => b.Write));
            }

            if (position != FeedPosition.Zero)
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
                    results[index] = Rejected(index, StatusCode.FailedPrecondition, $"items[{index}]",
                        $"signal.overturned: {SignalRecordId.Of(signalId, groups[index])} was overturned by the coalition (a false-positive quorum or an administrator) and cannot be submitted again; ask the coalition's administrators if you believe it is abuse");
                    continue;
                }

                results[index] = new SubmitResult
                {
                    Index = (uint)index,
                    Outcome = (SubmitOutcome)outcomes[j],
                    SignalId = signalId,
                    RecordId = SignalRecordId.Of(signalId, groups[index]),
                };
                if (normalized[index].Kind == SignalKind.Pdq && results[index].Outcome != SubmitOutcome.Rejected)
                {
                    // Stored and active: matchable on this replica before the member hears so, not only once the feed brings it.
                    pdq.Remember(normalized[index], groups[index] ?? "");
                }
                else if (videos?[index] is { } video && results[index].Outcome != SubmitOutcome.Rejected)
                {
                    videoMatcher.Remember(normalized[index], groups[index] ?? "", video);
                }

            }
        }

        metrics.Submitted(items, results);
        var response = new SubmitResponse { Results = { results }, Summary = new SubmitSummary() };
        if (wroteAny)
        {
            response.ConsistencyToken = FeedCursor.Encode(written);
        }

        foreach (var result in results)
        {
            switch (result.Outcome)
            {
                case SubmitOutcome.Created: response.Summary.Created++; break;
                case SubmitOutcome.Corroborated: response.Summary.Corroborated++; break;
                case SubmitOutcome.Unchanged: response.Summary.Unchanged++; break;
                default: response.Summary.Rejected++; break;
            }
        }

        return response;
    }

    // Remembered responses drop the signal and record ids (~75 bytes per item): a retry carries the same items, so they are
    // derived again from the retried request, and the remembered batch costs a few bytes per item.
    private static SubmitResponse Compact(SubmitResponse response)
    {
        var compact = response.Clone();
        foreach (var result in compact.Results)
        {
            result.SignalId = "";
            result.RecordId = "";
        }

        return compact;
    }

    private SubmitResponse Replayed(SubmitResponse remembered, IReadOnlyList<SignalSubmission> items)
    {
        remembered.Replayed = true;
        foreach (var result in remembered.Results)
        {
            if (result.Outcome != SubmitOutcome.Rejected && result.Index < items.Count && items[(int)result.Index] is var item)
            {
                if (item.Type == SignalType.Vpdq)
                {
                    if (VpdqSubmissionRules.TryBuild(item.Vpdq, item.Value, "", out _, out var video, out _))
                    {
                        result.SignalId = video.Id;
                        result.RecordId = SignalRecordId.Of(result.SignalId, item.SharingGroup);
                    }
                }
                else if (SignalNormalizer.TryNormalize((SignalKind)item.Type, item.Value, item.KeyId, SignalNormalizer.MaxPdqQuality, 0, out var signal, out _))
                {
                    result.SignalId = signal.Id;
                    result.RecordId = SignalRecordId.Of(result.SignalId, item.SharingGroup);
                }
            }
        }

        return remembered;
    }

    private SubmitResult? Validate(Caller caller, SignalSubmission item, int index, DateTimeOffset now,
        out NormalizedSignal signal, out CategorySet categories, out long expiresAt, out VpdqFrameSet? video)
    {
        categories = CategorySet.Empty;
        expiresAt = 0;
        video = null;
        if (item.Type == SignalType.Vpdq)
        {
            // The other types check the key id in SignalNormalizer, which a video's frames do not go through.
            if (!SignalKeyId.TryCheck(SignalRules.Get(SignalKind.Vpdq), item.KeyId, out var keyError))
            {
                signal = default;
                return Rejected(index, StatusCode.InvalidArgument, $"items[{index}].{keyError.Field}", $"{keyError.Rule}: {keyError.Message}");
            }

            if (!VpdqSubmissionRules.TryBuild(item.Vpdq, item.Value, $"items[{index}]", out video, out signal, out var videoError))
            {
                return Rejected(index, StatusCode.InvalidArgument, videoError.Value.Field, videoError.Value.Description);
            }
        }
        else if (!SignalNormalizer.TryNormalize((SignalKind)item.Type, item.Value, item.KeyId, item.HasQuality ? item.Quality : null, signals.MinPdqQuality, out signal, out var valueError))
        {
            return Rejected(index, StatusCode.InvalidArgument, $"items[{index}].{valueError.Field}", $"{valueError.Rule}: {valueError.Message}");
        }

        if (!CategoryValidation.TryCreate(item.Categories, out categories, out var error)
            || !ContributionLabels.TryValidate(item.HasConfidence ? item.Confidence : null, (int)item.ShareLevel, out error))
        {
            return Rejected(index, StatusCode.InvalidArgument, $"items[{index}].{error.Field}", $"{error.Rule}: {error.Message}");
        }

        if (item.SharingGroup.Length > 0 && !caller.Member.InGroup(item.SharingGroup))
        {
            return Rejected(index, StatusCode.PermissionDenied, $"items[{index}].sharing_group",
                $"sharing_group.not_member: member '{caller.MemberId}' is not in sharing group '{item.SharingGroup}'; submit coalition-wide or ask the coalition administrator to add you to the group");
        }

        if (item.ExpiresAt is { } requested)
        {
            var at = requested.ToDateTimeOffset();
            if (at <= now)
            {
                return Rejected(index, StatusCode.InvalidArgument, $"items[{index}].expires_at",
                    "expires_at.past: expires_at lies in the past; leave it unset for the coalition default retention or set a future time");
            }

            expiresAt = (long)Math.Ceiling(at.ToUnixTimeMilliseconds() / 1000.0);
        }
        else if (signals.DefaultRetention > TimeSpan.Zero)
        {
            expiresAt = (now + signals.DefaultRetention).ToUnixTimeSeconds();
        }

        return null;
    }

    // The submit script's outcome for a record that is an OVERTURNED tombstone (signal_submit.lua): nothing was written.
    private const int OverturnedOutcome = 4;

    private static SubmitResult Rejected(int index, StatusCode code, string field, string description) => new()
    {
        Index = (uint)index,
        Outcome = SubmitOutcome.Rejected,
        Error = new ItemError { Code = (int)code, Field = field, Description = description },
    };
}
