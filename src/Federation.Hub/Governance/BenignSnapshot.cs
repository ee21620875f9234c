using Federation.Core.Pdq;
using Federation.Core.Signals;
using Federation.Hub.Storage;

namespace Federation.Hub.Governance;

/// <summary>
/// One version of the known-benign list, in memory: exact entries in a dictionary, PDQ entries in an array scanned by
/// brute force (administrators curate the list by hand, so it holds hundreds or thousands of hashes: a scan costs
/// four popcounts per entry, well under a microsecond per thousand entries — no index needed).
/// </summary>
public sealed class BenignSnapshot
{
    private readonly Dictionary<NormalizedSignal, BenignEntryRecord> exact = [];
    private readonly (PdqHash Hash, BenignEntryRecord Entry)[] pdq;

    /// <summary>Builds the snapshot of <paramref name="entries"/> read at <paramref name="version"/>.</summary>
    public BenignSnapshot(long version, IReadOnlyList<BenignEntryRecord> entries)
    {
        Version = version;
        Entries = entries;
        var near = new List<(PdqHash, BenignEntryRecord)>();
        foreach (var entry in entries)
        {
            if (!NormalizedSignal.TryParseId(entry.SignalId, out var signal))
            {
                continue;
            }

            exact[signal] = entry;
            if (signal.Kind == SignalKind.Pdq)
            {
                near.Add((PdqHash.FromBytes(signal.RawBytes), entry));
            }
        }

        pdq = [.. near];
    }

    /// <summary>The list's version in Redis when this snapshot was read.</summary>
    public long Version { get; }

    /// <summary>Every entry, ordered by signal id.</summary>
    public IReadOnlyList<BenignEntryRecord> Entries { get; }

    /// <summary>The entry <paramref name="signal"/> matches (exactly, or for PDQ the nearest within its distance), or null.</summary>
    public BenignHit? Match(in NormalizedSignal signal)
    {
        if (exact.TryGetValue(signal, out var entry))
        {
            return new BenignHit(entry, 0);
        }

        if (signal.Kind != SignalKind.Pdq || pdq.Length == 0)
        {
            return null;
        }

        var hash = PdqHash.FromBytes(signal.RawBytes);
        BenignHit? best = null;
        foreach (var (listed, listedEntry) in pdq)
        {
            var distance = hash.Distance(listed);
            if (distance <= listedEntry.MaxDistance && (best is null || distance < best.Distance))
            {
                best = new BenignHit(listedEntry, distance);
            }
        }

        return best;
    }
}
