namespace Federation.Hub.Domain;

/// <summary>What became of one submitted item.</summary>
public enum SubmissionOutcome
{
    /// <summary>A new record was created.</summary>
    Created = 1,

    /// <summary>An existing record gained this member or a category.</summary>
    Corroborated = 2,

    /// <summary>The member had already submitted it with these categories.</summary>
    Unchanged = 3,

    /// <summary>Not stored; the result's refusal says why.</summary>
    Rejected = 4,
}

/// <summary>Why one item was not stored: the kind of refusal, the offending field and what to do ("rule: message").</summary>
public readonly record struct ItemRefusal(HubErrorKind Kind, string Field, string Description);

/// <summary>The result for one item of a batch.</summary>
/// <param name="Index">Its position in the batch.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="SignalId">The signal's id (<c>type:hex</c>) when accepted.</param>
/// <param name="RecordId">The record's id (the signal id, with the sharing group for a group's record) when accepted.</param>
/// <param name="Refusal">Why it was rejected.</param>
public readonly record struct SubmissionItemResult(int Index, SubmissionOutcome Outcome, string SignalId, string RecordId, ItemRefusal? Refusal)
{
    /// <summary>A rejected item.</summary>
    public static SubmissionItemResult Rejected(int index, HubErrorKind kind, string field, string description) =>
        new(index, SubmissionOutcome.Rejected, "", "", new ItemRefusal(kind, field, description));
}

/// <summary>Items of a batch by outcome.</summary>
public readonly record struct SubmissionCounts(int Created, int Corroborated, int Unchanged, int Rejected)
{
    /// <summary>Counts <paramref name="items"/>.</summary>
    public static SubmissionCounts Of(IReadOnlyList<SubmissionItemResult> items)
    {
        int created = 0, corroborated = 0, unchanged = 0, rejected = 0;
        foreach (var item in items)
        {
            switch (item.Outcome)
            {
                case SubmissionOutcome.Created: created++; break;
                case SubmissionOutcome.Corroborated: corroborated++; break;
                case SubmissionOutcome.Unchanged: unchanged++; break;
                default: rejected++; break;
            }
        }

        return new SubmissionCounts(created, corroborated, unchanged, rejected);
    }
}

/// <summary>
/// The answer to a submit batch: one result per item in order, their counts, and the consistency token a look-up
/// may pass to see the batch on any replica (null when nothing was written).
/// </summary>
/// <param name="Items">One result per item, in the batch's order.</param>
/// <param name="ConsistencyToken">Where the batch's writes landed in the feed, or null.</param>
/// <param name="Replayed">True when this is the remembered answer to an earlier call with the same request id.</param>
public sealed record SubmissionResult(IReadOnlyList<SubmissionItemResult> Items, string? ConsistencyToken, bool Replayed = false)
{
    /// <summary>The items by outcome.</summary>
    public SubmissionCounts Counts { get; } = SubmissionCounts.Of(Items);
}
