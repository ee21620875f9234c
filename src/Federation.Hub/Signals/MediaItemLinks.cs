using Federation.Core.Signals;
using Federation.Hub.Domain;

namespace Federation.Hub.Signals;

/// <summary>
/// The hashes of one media item in a batch (<see cref="SubmissionItem.MediaItem"/>): the label's rules, and which stored
/// items link to which. Links stay within a sharing group: a group's record links to the same group's records only, so a
/// link never tells a member about a record it may not see.
/// </summary>
public static class MediaItemLinks
{
    /// <summary>Most items one media item may have in a batch (MD5, SHA-1, SHA-256, PDQ, video hashes... with room).</summary>
    public const int MaxItemsPerMediaItem = 16;

    /// <summary>Longest label.</summary>
    public const int MaxLabelLength = 64;

    /// <summary>The refusal of item <paramref name="index"/>'s label, or null when it is empty or valid.</summary>
    public static SubmissionItemResult? CheckLabel(string label, int index)
    {
        if (label.Length == 0 || (label.Length <= MaxLabelLength && label.All(c => c is >= '!' and <= '~')))
        {
            return null;
        }

        return SubmissionItemResult.Rejected(index, HubErrorKind.InvalidArgument, $"items[{index}].media_item",
            $"media_item.invalid: a media item label is 1-{MaxLabelLength} printable ASCII characters without spaces (got {label.Length} characters); it only needs to be the same for the hashes of one file in this batch, e.g. \"file-17\"");
    }

    /// <summary>
    /// The rejections of the items of a media item beyond its first <see cref="MaxItemsPerMediaItem"/> still accepted;
    /// <paramref name="accepted"/> says which items are.
    /// </summary>
    public static List<SubmissionItemResult> Overfull(IReadOnlyList<SubmissionItem> items, Func<int, bool> accepted)
    {
        var rejected = new List<SubmissionItemResult>();
        var counts = new Dictionary<(string Label, string Group), int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].MediaItem.Length == 0 || !accepted(i))
            {
                continue;
            }

            var key = (items[i].MediaItem, items[i].SharingGroup);
            var seen = counts[key] = counts.GetValueOrDefault(key) + 1;
            if (seen > MaxItemsPerMediaItem)
            {
                rejected.Add(SubmissionItemResult.Rejected(i, HubErrorKind.InvalidArgument, $"items[{i}].media_item",
                    $"media_item.too_many: a media item links at most {MaxItemsPerMediaItem} hashes in one batch; this is hash {seen} of '{items[i].MediaItem}'"));
            }
        }

        return rejected;
    }

    /// <summary>For every stored item of a media item with two or more stored items: the other items' signal ids.</summary>
    public static List<(int Index, string[] Linked)> Of(IReadOnlyList<SubmissionItem> items, IReadOnlyList<NormalizedSignal> stored, Func<int, bool> accepted)
    {
        var byItem = new Dictionary<(string Label, string Group), List<int>>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].MediaItem.Length > 0 && accepted(i))
            {
                var key = (items[i].MediaItem, items[i].SharingGroup);
                if (!byItem.TryGetValue(key, out var members))
                {
                    byItem[key] = members = [];
                }

                members.Add(i);
            }
        }

        var links = new List<(int, string[])>();
        foreach (var members in byItem.Values)
        {
            if (members.Count < 2)
            {
                continue;
            }

            foreach (var i in members)
            {
                links.Add((i, members.Where(j => j != i).Select(j => stored[j].Id).ToArray()));
            }
        }

        return links;
    }
}
