using System.Diagnostics.CodeAnalysis;
using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Core.Vpdq;

namespace Federation.Hub.Signals;

/// <summary>
/// Turns the frames of a VPDQ submission or query (<see cref="VideoFrameInput"/>, as sent) into the canonical
/// <see cref="VpdqFrameSet"/> and its signal, or a per-item error naming the field and the rule.
/// </summary>
public static class VpdqSubmissionRules
{
    /// <summary>Validates <paramref name="frames"/>; <paramref name="value"/>, when not empty, must be the identity they give.</summary>
    /// <param name="frames">The frames sent (null when none were).</param>
    /// <param name="value">The submitted value: empty, or the identity as 64 hex.</param>
    /// <param name="field">The item's field prefix, e.g. <c>items[3]</c>.</param>
    /// <param name="set">The canonical frame set when accepted.</param>
    /// <param name="signal">The VPDQ signal (its raw value the identity) when accepted.</param>
    /// <param name="error">The offending field and the rule with its message when refused.</param>
    public static bool TryBuild(
        IReadOnlyList<VideoFrameInput>? frames,
        string value,
        string field,
        [NotNullWhen(true)] out VpdqFrameSet? set,
        out NormalizedSignal signal,
        [NotNullWhen(false)] out (string Field, string Description)? error)
    {
        set = null;
        signal = default;
        if (frames is null || frames.Count == 0)
        {
            error = ($"{field}.vpdq.frames", "vpdq.frames_missing: a VPDQ signal carries the video's frames in vpdq.frames (fedctl hash computes them); at least one frame is required");
            return false;
        }

        if (frames.Count > VpdqFrameSet.MaxFeatures)
        {
            error = ($"{field}.vpdq.frames", $"vpdq.too_many_frames: a video carries at most {VpdqFrameSet.MaxFeatures} distinct frames; got {frames.Count}. Merge repeated frames (count) or hash with a sampling interval (fedctl hash --seconds-per-hash 1)");
            return false;
        }

        var features = new VpdqFeature[frames.Count];
        for (var j = 0; j < features.Length; j++)
        {
            var frame = frames[j];
            if (!PdqHash.TryParse(frame.PdqHash.AsSpan().Trim(), out var hash))
            {
                error = ($"{field}.vpdq.frames[{j}].pdq_hash", $"vpdq.frame_hash: each frame's pdq_hash must be {PdqHash.HexLength} hex characters; frame {j} is not");
                return false;
            }

            if (frame.Quality > SignalNormalizer.MaxPdqQuality)
            {
                error = ($"{field}.vpdq.frames[{j}].quality", $"vpdq.frame_quality: frame quality must be 0-{SignalNormalizer.MaxPdqQuality}; frame {j} has {frame.Quality}");
                return false;
            }

            if (frame.Count > int.MaxValue / VpdqFrameSet.MaxFeatures)
            {
                error = ($"{field}.vpdq.frames[{j}].count", $"vpdq.frame_count: a frame count is at most {int.MaxValue / VpdqFrameSet.MaxFeatures}; frame {j} has {frame.Count}");
                return false;
            }

            features[j] = new VpdqFeature(hash, (int)frame.Quality, Math.Max(1, (int)frame.Count), frame.TimestampMs);
        }

        set = VpdqFrameSet.FromFeatures(features);
        signal = NormalizedSignal.FromRaw(SignalKind.Vpdq, set.Identity);
        if (value.Trim().Length > 0 && !string.Equals(value.Trim(), signal.ToHex(), StringComparison.OrdinalIgnoreCase))
        {
            error = ($"{field}.value", $"vpdq.identity_mismatch: value must be empty or the identity of the frames sent ({signal.ToHex()}); see VpdqVideo in the proto for how it is computed");
            set = null;
            signal = default;
            return false;
        }

        error = null;
        return true;
    }
}
