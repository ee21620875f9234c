namespace Federation.Core.Pdq;

/// <summary>Which segment a <see cref="PdqIndex{TId}"/> merge produced, and how.</summary>
internal enum PdqMergeKind
{
    /// <summary>Recent segment rebuilt with the frozen delta.</summary>
    Recent,

    /// <summary>Recent segment and frozen delta appended to the main one (its slots kept).</summary>
    MainAppend,

    /// <summary>Everything rebuilt into a new main segment (dead entries dropped, or a larger directory).</summary>
    MainRebuild,
}

/// <summary>One merge: its kind, the entries it wrote, its wall time and the CPU time of the merging thread (null where not measurable).</summary>
internal readonly record struct PdqMergeReport(PdqMergeKind Kind, int Entries, TimeSpan Elapsed, TimeSpan? CpuTime);
