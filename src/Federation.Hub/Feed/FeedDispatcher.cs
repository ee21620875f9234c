using Federation.Core.Feed;
using Federation.Hub.Contract;
using Federation.Hub.Storage;
using Federation.Hub.Telemetry;

namespace Federation.Hub.Feed;

/// <summary>
/// The tail's fan-out: holds the replica's position vector and, in one lock with it, the attached subscribers and the
/// observers, so whoever attaches or observes is told exactly the vector after which it receives every entry.
/// <see cref="FeedTail"/> reads; this hands each entry, built once, to everyone.
/// </summary>
/// <remarks>
/// Subscribers receive entries through channels the dispatcher only ever <c>TryWrite</c>s: a subscriber whose backlog
/// is full is detached (it catches up from Redis and re-attaches) and never blocks the tail.
/// </remarks>
internal sealed class FeedDispatcher
{
    private readonly Lock gate = new();
    private readonly List<FeedAttachment> attached = [];
    private readonly FeedObservers observers;
    private readonly HubMetrics metrics;
    private FeedPosition[] vector = [];
    private long dispatched;
    private long overflows;

    public FeedDispatcher(ILogger logger, HubMetrics metrics)
    {
        observers = new FeedObservers(logger);
        this.metrics = metrics;
        metrics.ObserveFanOut(QueuedItems, () => { lock (gate) { return attached.Count; } });
    }

    /// <summary>Entries dispatched since start.</summary>
    public long DispatchedCount => Interlocked.Read(ref dispatched);

    /// <summary>Times a subscriber overflowed its buffer and was detached.</summary>
    public long OverflowCount => Interlocked.Read(ref overflows);

    /// <summary>Sets the position the tail starts reading after (the stream heads when it starts).</summary>
    public void Start(FeedPosition[] start)
    {
        lock (gate)
        {
            vector = start;
        }
    }

    /// <summary>Registers an observer; the result's vector is where its entries start.</summary>
    public FeedObservation Observe(Action<FeedEntry> observer)
    {
        lock (gate)
        {
            observers.Add(observer);
            return new FeedObservation(vector, () =>
            {
                lock (gate)
                {
                    observers.Remove(observer);
                }
            });
        }
    }

    /// <summary>Attaches a subscriber at the current vector.</summary>
    public FeedAttachment Attach(int capacity)
    {
        lock (gate)
        {
            var attachment = new FeedAttachment(vector, capacity);
            attached.Add(attachment);
            return attachment;
        }
    }

    /// <summary>Stops offering items to a subscriber.</summary>
    public void Detach(FeedAttachment attachment)
    {
        lock (gate)
        {
            attached.Remove(attachment);
        }

        attachment.Channel.Writer.TryComplete();
    }

    /// <summary>
    /// Gives a subscriber whose channel's queue grew during a backlog a fresh channel, when it has read everything and is
    /// still attached (a detached one's channel is completed and must stay so); true when replaced. Under the lock, so the
    /// tail writes no batch into the old channel meanwhile: the subscriber reads on from the new one and misses nothing.
    /// </summary>
    public bool Renew(FeedAttachment attachment)
    {
        // Checked once without the lock: a subscriber still reading a backlog does not take the tail's lock per wake-up.
        if (Volatile.Read(ref attachment.Batches) != 0)
        {
            return false;
        }

        lock (gate)
        {
            if (Volatile.Read(ref attachment.Batches) != 0 || attachment.Channel.Reader.TryPeek(out _) || attachment.Channel.Reader.Completion.IsCompleted)
            {
                return false;
            }

            attachment.ReplaceChannel();
            return true;
        }
    }

    /// <summary>
    /// Advances the vector over <paramref name="batches"/> (one per partition, with their <paramref name="records"/>),
    /// skipping entries dispatched already (a retried read), tells the observers and offers the new items to every
    /// subscriber as one batch: one channel operation and at most one wake-up and one flush per subscriber per read,
    /// however many partitions the read spans.
    /// </summary>
    public void Dispatch(List<FeedEntry[]> batches, SignalRecord?[][] records)
    {
        for (var b = 0; b < batches.Count; b++)
        {
            for (var i = 0; i < batches[b].Length; i++)
            {
                records[b][i] ??= FeedMessages.Gone(batches[b][i]);
            }
        }

        // Contract objects built outside the lock, and only while someone subscribes: without subscribers an entry
        // costs its observers and the vector, not a contract message, a frame and a cursor that nobody reads (a bulk
        // load's allocation, and what every garbage collection during it had to copy, about halved).
        var signals = HasSubscribers() ? Contracts(records) : null;
        lock (gate)
        {
            if (attached.Count == 0)
            {
                Advance(batches);
                return;
            }

            // A subscriber attached since the check: it starts at the current vector, so it needs these items.
            signals ??= Contracts(records);
            var items = new List<FeedItem>();
            for (var b = 0; b < batches.Count; b++)
            {
                var entries = batches[b];
                for (var i = 0; i < entries.Length; i++)
                {
                    var entry = entries[i];
                    if (entry.Id <= vector[entry.Partition])
                    {
                        continue; // already dispatched (a retried read)
                    }

                    var next = (FeedPosition[])vector.Clone();
                    next[entry.Partition] = entry.Id;
                    vector = next;
                    items.Add(new FeedItem(entry, records[b][i], signals[b][i], next, FeedCursor.Encode(next)));
                    Dispatched(entry);
                }
            }

            if (items.Count == 0)
            {
                return;
            }

            Offer(items.ToArray());
        }
    }

    /// <summary>
    /// With nobody subscribed, moves the vector over <paramref name="batches"/> and tells the observers, without
    /// records (observers read entries only); false, with nothing done, when a subscriber is attached: then the tail
    /// fetches the records and calls <see cref="Dispatch"/>. Spares a replica without subscribers the record reads.
    /// </summary>
    public bool TryAdvanceUnsubscribed(List<FeedEntry[]> batches)
    {
        lock (gate)
        {
            if (attached.Count > 0)
            {
                return false;
            }

            Advance(batches);
            return true;
        }
    }

    private bool HasSubscribers()
    {
        lock (gate)
        {
            return attached.Count > 0;
        }
    }

    private static Federation.Contracts.V1.Signal?[][] Contracts(SignalRecord?[][] records) =>
        records.Select(batch => batch.Select(record => record?.ToContract()).ToArray()).ToArray();

    // Under the lock, with nobody attached: the vector moves over the new entries and the observers see them. The
    // vector is replaced, never changed in place: items dispatched earlier share the old one.
    private void Advance(List<FeedEntry[]> batches)
    {
        FeedPosition[]? next = null;
        foreach (var entries in batches)
        {
            foreach (var entry in entries)
            {
                if (entry.Id <= (next ?? vector)[entry.Partition])
                {
                    continue; // already dispatched (a retried read)
                }

                next ??= (FeedPosition[])vector.Clone();
                next[entry.Partition] = entry.Id;
                Dispatched(entry);
            }
        }

        vector = next ?? vector;
    }

    private void Dispatched(FeedEntry entry)
    {
        dispatched++;
        metrics.FeedDispatched(entry.Id.Milliseconds);
        observers.Notify(entry);
    }

    // Under the lock.
    private void Offer(FeedItem[] batch)
    {
        for (var s = attached.Count - 1; s >= 0; s--)
        {
            var attachment = attached[s];
            if (Volatile.Read(ref attachment.Pending) >= attachment.Capacity || !attachment.Channel.Writer.TryWrite(batch))
            {
                // Full: detach; the subscriber drains what it has, catches up from Redis and re-attaches.
                attached.RemoveAt(s);
                attachment.Channel.Writer.TryComplete();
                overflows++;
                continue;
            }

            Interlocked.Add(ref attachment.Pending, batch.Length);
            if (Interlocked.Increment(ref attachment.Batches) > FeedAttachment.FirstSegmentBatches)
            {
                attachment.Grown = true;
            }
        }
    }

    // Items handed to subscribers and not yet processed by them (the fan-out queue depth gauge).
    private int QueuedItems()
    {
        lock (gate)
        {
            var queued = 0;
            foreach (var attachment in attached)
            {
                queued += Volatile.Read(ref attachment.Pending);
            }

            return queued;
        }
    }
}
