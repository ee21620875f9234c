using Federation.Core.Feed;

namespace Federation.Hub.Feed;

/// <summary>
/// Where one subscriber is: its position vector (one feed position per partition), whether it is in step with the
/// tail, and its cursor. Kept apart from the steps that move it (start, snapshot, catch-up, live follow) because the
/// in-step rule is what lets a subscriber share the tail's frames and cursors, and it must be the same for all of them.
/// </summary>
/// <remarks>
/// Vectors are never mutated once published (each move clones), so an in-step subscriber can hold the tail's own
/// vector and cursor, shared with every other in-step subscriber. The cursor is encoded lazily, only when a message
/// carries it.
/// </remarks>
internal sealed class SubscriberPosition
{
    private FeedPosition[] vector = [];
    private string? cursor;

    /// <summary>The position vector (not to be mutated).</summary>
    public FeedPosition[] Vector => vector;

    /// <summary>True while the vector is the tail's: the tail's frames and cursors apply to this subscriber as they are.</summary>
    public bool InStep { get; private set; }

    /// <summary>The vector encoded as a cursor.</summary>
    public string Cursor => cursor ??= FeedCursor.Encode(vector);

    /// <summary>Places the subscriber at <paramref name="positions"/> (its start, or where a snapshot ends).</summary>
    public void MoveTo(FeedPosition[] positions)
    {
        vector = positions;
        cursor = null;
    }

    /// <summary>Moves one partition forward to <paramref name="id"/> (catch-up from Redis).</summary>
    public void Advance(int partition, FeedPosition id)
    {
        var next = (FeedPosition[])vector.Clone();
        next[partition] = id;
        vector = next;
        cursor = null;
    }

    /// <summary>Called on each attach to the tail: in step exactly when the subscriber is where the tail was.</summary>
    public void Attached(FeedPosition[] tailVector)
    {
        InStep = vector.AsSpan().SequenceEqual(tailVector);
        cursor = null;
    }

    /// <summary>
    /// Applies an item the tail dispatched; false when the subscriber has it already (its cursor or catch-up was ahead
    /// of the tail). A subscriber that reaches the tail's vector is in step from then on.
    /// </summary>
    public bool Follow(FeedItem item)
    {
        var entry = item.Entry;
        if (entry.Id <= vector[entry.Partition])
        {
            return false;
        }

        if (InStep)
        {
            vector = item.Vector;
        }
        else
        {
            var next = (FeedPosition[])vector.Clone();
            next[entry.Partition] = entry.Id;
            vector = next;
            if (vector.AsSpan().SequenceEqual(item.Vector))
            {
                vector = item.Vector;
                InStep = true;
            }
        }

        cursor = InStep ? item.Cursor : null;
        return true;
    }
}
