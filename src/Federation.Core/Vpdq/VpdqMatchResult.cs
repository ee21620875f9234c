namespace Federation.Core.Vpdq;

/// <summary>How much of two videos matched, in percent of each one's frames that pass the quality threshold.</summary>
/// <param name="QueryMatchPercent">Share of the query's frames with a matching target frame, 0..100.</param>
/// <param name="TargetMatchPercent">Share of the target's frames with a matching query frame, 0..100.</param>
public readonly record struct VpdqMatchResult(double QueryMatchPercent, double TargetMatchPercent)
{
    /// <summary>
    /// The video-level decision: both shares reach their thresholds and at least one frame matched (so that thresholds
    /// of 0 do not make every stored video a match).
    /// </summary>
    public bool IsMatch(double minQueryPercent, double minTargetPercent) =>
        QueryMatchPercent > 0 && QueryMatchPercent >= minQueryPercent && TargetMatchPercent >= minTargetPercent;
}
