using Federation.Contracts.V1;

namespace Federation.Client.Internal;

/// <summary>
/// Keeps the hashes of one media item in one batch: the hub links only items of the same batch
/// (<see cref="SignalSubmission.MediaItem"/>), so a cut between two adjacent hashes of one item would lose their link.
/// </summary>
internal static class MediaItemBatches
{
    /// <summary>Whether two items are hashes of one media item: the same non-empty label in the same sharing group.</summary>
    public static bool SameItem(SignalSubmission a, SignalSubmission b) =>
        a.MediaItem.Length > 0 && a.MediaItem == b.MediaItem && a.SharingGroup == b.SharingGroup;

    /// <summary>
    /// The end of the batch that starts at <paramref name="offset"/> and holds at most <paramref name="max"/> items: earlier
    /// than the full size when that would split a run of one media item's adjacent hashes (unless the run fills the batch).
    /// </summary>
    public static int End(IReadOnlyList<SignalSubmission> items, int offset, int max)
    {
        var end = Math.Min(items.Count, offset + max);
        var cut = end;
        while (cut < items.Count && cut > offset && SameItem(items[cut - 1], items[cut]))
        {
            cut--;
        }

        return cut == offset ? end : cut;
    }

    /// <summary>How many items at the end of <paramref name="batch"/> form one run with <paramref name="next"/> (0 when none).</summary>
    public static int TrailingRun(IReadOnlyList<SignalSubmission> batch, SignalSubmission next)
    {
        var run = 0;
        var following = next;
        for (var i = batch.Count - 1; i >= 0 && SameItem(batch[i], following); i--)
        {
            following = batch[i];
            run++;
        }

        return run;
    }
}
