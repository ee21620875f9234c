using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>
/// Coalition governance (docs/governance.md): when a disputed signal is withheld pending review, when the members'
/// false-positive reports overturn it, and how long members' overturn notices are kept.
/// </summary>
public sealed class GovernanceOptions
{
    /// <summary>When a signal is quarantined by itself.</summary>
    public QuarantineOptions Quarantine { get; set; } = new();

    /// <summary>
    /// FALSE_POSITIVE opinions (distinct members) that overturn a signal by themselves; 0 leaves overturning to
    /// administrators. A quorum lets a few members take a signal out of circulation, so keep it above the number of
    /// members one careless or hostile party could control; the signal is quarantined (MinDisputes) well before.
    /// </summary>
    [Range(0, 10_000)]
    public int FalsePositiveQuorum { get; set; } = 3;

    /// <summary>How long a member's overturn notices are kept for WatchNotices (and a written notice is remembered).</summary>
    public TimeSpan NoticeRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often every replica looks for appeal notices still owed (besides when the feed says one is due).</summary>
    public TimeSpan AppealScanInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The quarantine policy: a signal passing either limit is withheld until administrators release or overturn it.</summary>
public sealed class QuarantineOptions
{
    /// <summary>DISPUTED plus FALSE_POSITIVE opinions (distinct members) that quarantine a signal; 0 turns the opinion rule off.</summary>
    [Range(0, 10_000)]
    public int MinDisputes { get; set; } = 2;

    /// <summary>...and the least share of all its opinions they must be (0-1): confirmations from other members hold it back.</summary>
    [Range(0.0, 1.0)]
    public double MinDisputeShare { get; set; } = 0.5;

    /// <summary>
    /// Look-up matches of one signal per hour, over all members and replicas, that quarantine it (a hash that matches
    /// everything is more likely a common benign image than abuse); 0 (the default) turns the rule off. Counted per
    /// replica and added up in Redis every few seconds, so it acts within seconds of the limit.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MaxMatchesPerHour { get; set; }
}
