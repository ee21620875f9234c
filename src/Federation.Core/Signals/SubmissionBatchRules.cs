using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Federation.Core.Signals;

/// <summary>
/// Rules that apply to a submitted batch as a whole: its size, and the same signal appearing twice in it.
/// </summary>
/// <remarks>
/// A repeated signal inside one batch is REJECTED (rule <c>batch.duplicate</c>), naming the earlier item,
/// rather than treated as UNCHANGED: the repeat may carry different categories or quality that would otherwise
/// be dropped silently, and a rejection tells the member to merge the two items. Only the later item is
/// rejected; the first occurrence is processed normally.
/// </remarks>
public static class SubmissionBatchRules
{
    /// <summary>The most items one <c>Submit</c> or <c>SubmitStream</c> batch (or one <c>Lookup</c>) may hold.</summary>
    public const int MaxBatchSize = 1000;

    // Open-addressing table of item indexes; 2x the batch size keeps probe chains short.
    private const int StackTableSize = 2048;

    /// <summary>Checks the number of items in a batch.</summary>
    public static bool TryCheckSize(int itemCount, [NotNullWhen(false)] out SignalValidationError? error)
    {
        error = itemCount > MaxBatchSize
            ? new SignalValidationError(SignalValidationRule.BatchSize, "items",
                $"a batch holds at most {MaxBatchSize:N0} items; got {itemCount:N0}. Split it into several batches (SubmitStream streams batches for bulk loads)")
            : null;
        return error is null;
    }

    /// <summary>
    /// Finds items that repeat an earlier item of the same batch. Allocation-free for batches of up to
    /// <see cref="MaxBatchSize"/> items (a stack hash table of item indexes).
    /// </summary>
    /// <param name="signals">The batch's normalized signals, in request order; <c>default</c> for items already rejected, which are skipped.</param>
    /// <param name="duplicateOf">Receives, per item, the index of the first earlier item with the same identity, or -1.</param>
    /// <param name="sharingGroups">
    /// Optional, per item: the sharing group (null or empty = coalition-wide). A signal shared with two different
    /// groups is two records, not a duplicate. When empty, every item counts as coalition-wide.
    /// </param>
    /// <returns>The number of duplicates found.</returns>
    /// <exception cref="ArgumentException">A span is shorter than <paramref name="signals"/>.</exception>
    public static int FindDuplicates(
        ReadOnlySpan<NormalizedSignal> signals,
        Span<int> duplicateOf,
        ReadOnlySpan<string?> sharingGroups = default)
    {
        var count = signals.Length;
        if (duplicateOf.Length < count)
        {
            throw new ArgumentException("duplicateOf must have one slot per signal.", nameof(duplicateOf));
        }

        if (!sharingGroups.IsEmpty && sharingGroups.Length < count)
        {
            throw new ArgumentException("sharingGroups must be empty or have one entry per signal.", nameof(sharingGroups));
        }

        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count * 2));
        int[]? rented = null;
        var table = size <= StackTableSize
            ? stackalloc int[StackTableSize]
            : (rented = ArrayPool<int>.Shared.Rent(size));
        table = table[..size];
        table.Clear();

        try
        {
            var mask = size - 1;
            var duplicates = 0;
            for (var i = 0; i < count; i++)
            {
                duplicateOf[i] = -1;
                if (signals[i].IsDefault)
                {
                    continue;
                }

                // Slots hold index + 1 so that 0 means empty. Equal signals in different groups share a probe
                // chain and are told apart by the group comparison.
                for (var slot = signals[i].GetHashCode() & mask; ; slot = (slot + 1) & mask)
                {
                    var earlier = table[slot] - 1;
                    if (earlier < 0)
                    {
                        table[slot] = i + 1;
                        break;
                    }

                    if (signals[earlier].Equals(signals[i]) && SameGroup(sharingGroups, earlier, i))
                    {
                        duplicateOf[i] = earlier;
                        duplicates++;
                        break;
                    }
                }
            }

            return duplicates;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The error for an item that repeats item <paramref name="firstIndex"/> of the same batch.</summary>
    public static SignalValidationError DuplicateError(int firstIndex) =>
        new(SignalValidationRule.BatchDuplicate, string.Empty,
            $"this signal already appears at items[{firstIndex}] of the same batch; send each signal once per batch and list all its categories on that one item");

    private static bool SameGroup(ReadOnlySpan<string?> groups, int a, int b) =>
        groups.IsEmpty || string.Equals(groups[a] ?? string.Empty, groups[b] ?? string.Empty, StringComparison.Ordinal);
}
