using Federation.Contracts.V1;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Hub.Domain;
using Federation.Hub.Grpc;
using Federation.Hub.Signals;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Services;

/// <summary>
/// The one translation between the contract's submit messages and the domain's: requests in (<see cref="ToDomain"/>),
/// answers out (<see cref="ToContract(SubmissionResult)"/>), per-item refusals as gRPC status codes.
/// </summary>
public static class SubmissionMapping
{
    // Timestamp's valid range (0001-01-01 to 9999-12-31); outside it ToDateTimeOffset throws.
    private const long MinTimestampSeconds = -62_135_596_800, MaxTimestampSeconds = 253_402_300_799;

    /// <summary>The batch's items as the domain takes them (strings shared, not copied).</summary>
    public static SubmissionItem[] ToDomain(RepeatedField<SignalSubmission> items)
    {
        var domain = new SubmissionItem[items.Count];
        for (var i = 0; i < domain.Length; i++)
        {
            var item = items[i];
            domain[i] = new SubmissionItem(
                (SignalKind)item.Type,
                item.Value,
                item.KeyId,
                Categories(item.Categories),
                item.SharingGroup,
                item.HasQuality ? item.Quality : null,
                item.HasConfidence ? item.Confidence : null,
                (TlpLevel)item.ShareLevel,
                item.ExpiresAt is { } expires ? Time(expires) : null,
                item.Vpdq is { } video ? Frames(video) : null,
                item.MediaItem);
        }

        return domain;
    }

    /// <summary>A video's frames as the domain takes them.</summary>
    public static VideoFrameInput[] Frames(VpdqVideo video)
    {
        var frames = new VideoFrameInput[video.Frames.Count];
        for (var j = 0; j < frames.Length; j++)
        {
            var frame = video.Frames[j];
            frames[j] = new VideoFrameInput(frame.PdqHash, frame.Quality, frame.Count, frame.TimestampMs);
        }

        return frames;
    }

    /// <summary>The contract's answer to a Submit call.</summary>
    public static SubmitResponse ToContract(SubmissionResult result)
    {
        var response = new SubmitResponse { Summary = Summary(result.Counts), Replayed = result.Replayed };
        AddResults(response.Results, result);
        if (result.ConsistencyToken is { } token)
        {
            response.ConsistencyToken = token;
        }

        return response;
    }

    /// <summary>The contract's acknowledgement of one SubmitStream batch.</summary>
    public static SubmitStreamResponse ToStreamContract(string requestId, SubmissionResult result)
    {
        var response = new SubmitStreamResponse { RequestId = requestId, Summary = Summary(result.Counts), ConsistencyToken = result.ConsistencyToken ?? "" };
        AddResults(response.Results, result);
        return response;
    }

    private static void AddResults(RepeatedField<SubmitResult> results, SubmissionResult result)
    {
        foreach (var item in result.Items)
        {
            var contract = new SubmitResult { Index = (uint)item.Index, Outcome = (SubmitOutcome)item.Outcome, SignalId = item.SignalId, RecordId = item.RecordId };
            if (item.Refusal is { } refusal)
            {
                contract.Error = new ItemError { Code = (int)RpcErrors.CodeOf(refusal.Kind), Field = refusal.Field, Description = refusal.Description };
            }

            results.Add(contract);
        }
    }

    private static SubmitSummary Summary(SubmissionCounts counts) => new()
    {
        Created = (uint)counts.Created,
        Corroborated = (uint)counts.Corroborated,
        Unchanged = (uint)counts.Unchanged,
        Rejected = (uint)counts.Rejected,
    };

    // Categories are one or two per item: a small array, so the domain never sees the contract's enum.
    private static SignalCategory[] Categories(RepeatedField<Category> categories)
    {
        var domain = new SignalCategory[categories.Count];
        for (var c = 0; c < domain.Length; c++)
        {
            domain[c] = (SignalCategory)categories[c];
        }

        return domain;
    }

    // An out-of-range Timestamp cannot be a time: it maps to the earliest one, which the submit rules refuse as past.
    private static DateTimeOffset Time(Timestamp timestamp) =>
        timestamp.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || timestamp.Nanos is < 0 or > 999_999_999
            ? DateTimeOffset.MinValue
            : timestamp.ToDateTimeOffset();
}
