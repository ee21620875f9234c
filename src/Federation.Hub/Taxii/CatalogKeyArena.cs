namespace Federation.Hub.Taxii;

/// <summary>
/// The signal keys of the compact catalog, length-prefixed, packed into 1 MiB chunks that no key straddles, so a
/// record's key costs its bytes plus one rather than a <c>byte[]</c> of its own. A reference is
/// <c>chunk &lt;&lt; 20 | offset</c> (2 GiB in all). Append-only: a removed key's bytes stay until the catalog rebuilds
/// the arena (<see cref="CatalogIndex"/>, when they are half of it). Not thread-safe (the catalog's lock guards it).
/// </summary>
internal sealed class CatalogKeyArena
{
    private const int ChunkBits = 20;
    private const int ChunkSize = 1 << ChunkBits;
    private const int MaxChunks = 1 << (31 - ChunkBits);

    private readonly List<byte[]> chunks = [];
    private int used = ChunkSize;

    /// <summary>Bytes written, length prefixes included (removed keys too).</summary>
    public long Written { get; private set; }

    /// <summary>Chunks allocated.</summary>
    public int Chunks => chunks.Count;

    /// <summary>Bytes of the chunk arrays.</summary>
    public long Bytes => (long)chunks.Count * ChunkSize;

    /// <summary>Appends <paramref name="key"/> (at most 255 bytes) and returns its reference.</summary>
    public int Add(ReadOnlySpan<byte> key)
    {
        if (key.Length > byte.MaxValue)
        {
            throw new ArgumentException($"A catalog key is at most 255 bytes; this one is {key.Length}.", nameof(key));
        }

        if (used + 1 + key.Length > ChunkSize)
        {
            if (chunks.Count == MaxChunks)
            {
                throw new InvalidOperationException("The TAXII catalog's key arena is full (2 GiB).");
            }

            chunks.Add(new byte[ChunkSize]);
            used = 0;
        }

        var chunk = chunks[^1];
        chunk[used] = (byte)key.Length;
        key.CopyTo(chunk.AsSpan(used + 1));
        var reference = ((chunks.Count - 1) << ChunkBits) | used;
        used += 1 + key.Length;
        Written += 1 + key.Length;
        return reference;
    }

    /// <summary>The key stored under <paramref name="reference"/>.</summary>
    public ReadOnlySpan<byte> Get(int reference)
    {
        var chunk = chunks[reference >> ChunkBits];
        var offset = reference & (ChunkSize - 1);
        return chunk.AsSpan(offset + 1, chunk[offset]);
    }
}
