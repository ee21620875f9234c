using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Hub.Contract;

/// <summary>
/// Maps stored records to the public contract. Below Services/ because the feed and notice streams pre-serialize
/// contract frames once for every subscriber (docs/feed.md); everything else maps in Services/.
/// </summary>
public static class SignalMapping
{
    /// <summary>
    /// The contract form of a record. <c>contributed_by_caller</c> and <c>caller_opinion</c> are left unset: the feed
    /// serializes each update once for all subscribers; per-caller calls fill them in afterwards.
    /// </summary>
    public static Federation.Contracts.V1.Signal ToContract(this SignalRecord record)
    {
        var id = record.Signal.Id;
        var signal = new Federation.Contracts.V1.Signal
        {
            Id = id,
            RecordId = SignalRecordId.Of(id, record.SharingGroup),
            Type = (SignalType)record.Signal.Kind,
            Value = record.Signal.ToHex(),
            FirstSeen = Timestamp.FromDateTimeOffset(record.FirstSeen),
            LastSeen = Timestamp.FromDateTimeOffset(record.LastSeen),
            CorroborationCount = (uint)record.CorroborationCount,
            Opinions = new OpinionCounts
            {
                Confirmed = (uint)record.Confirmed,
                Disputed = (uint)record.Disputed,
                FalsePositive = (uint)record.FalsePositive,
            },
            Status = record is { State: SignalState.Active, Quarantined: true } ? SignalStatus.Quarantined : (SignalStatus)record.State,
            Version = (ulong)record.Version,
            SharingGroup = record.SharingGroup,
            Quality = (uint)record.Quality,
            KeyId = record.Signal.KeyId,
            ShareLevel = (ShareLevel)record.ShareLevel,
        };
        if (record.Confidence is { } confidence)
        {
            signal.Confidence = (uint)confidence;
        }

        foreach (var category in record.Categories)
        {
            signal.Categories.Add((Category)category);
        }

        if (record.Video is { } video)
        {
            signal.Vpdq = video.ToContract();
        }

        if (record.ExpiresAt is { } expires)
        {
            signal.ExpiresAt = Timestamp.FromDateTimeOffset(expires);
        }

        return signal;
    }

    /// <summary>The contract form of a stored video: canonical frames, identity and total frame count.</summary>
    public static VpdqVideo ToContract(this Federation.Core.Vpdq.VpdqFrameSet video)
    {
        var contract = new VpdqVideo { Identity = Convert.ToHexStringLower(video.Identity), TotalFrames = (ulong)video.TotalFrames };
        foreach (var frame in video.Features)
        {
            contract.Frames.Add(new VpdqFrame
            {
                PdqHash = frame.Hash.ToString(),
                Quality = (uint)frame.Quality,
                Count = (uint)frame.Count,
                TimestampMs = frame.FirstTimestampMs,
            });
        }

        return contract;
    }
}
