using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

/// <summary>Deterministic generators of hashes for index tests.</summary>
internal static class PdqTestData
{
    public static PdqHash RandomHash(Random random) =>
        new((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63),
            (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63));

    /// <summary>A hash exactly <paramref name="distance"/> bits from <paramref name="origin"/>, bits chosen at random.</summary>
    public static PdqHash Near(PdqHash origin, int distance, Random random)
    {
        var bits = Enumerable.Range(0, PdqHash.BitLength).OrderBy(_ => random.Next()).Take(distance);
        var result = origin;
        foreach (var bit in bits)
        {
            result = result.WithBitFlipped(bit);
        }

        return result;
    }

    /// <summary>
    /// A hash exactly <paramref name="distance"/> bits from <paramref name="origin"/> with the flips spread
    /// evenly over the 16 chunks: the case the pigeonhole bound is tight for (31 = 15 chunks x 2 + 1).
    /// </summary>
    public static PdqHash SpreadOverChunks(PdqHash origin, int distance, int rotation = 0)
    {
        var result = origin;
        for (var i = 0; i < distance; i++)
        {
            var chunk = (i + rotation) % 16;
            var bitInChunk = (i / 16) + (rotation % 3);
            result = result.WithBitFlipped((chunk * 16) + (bitInChunk % 16));
        }

        return result;
    }

    /// <summary>
    /// A hash exactly <paramref name="distance"/> (≤ 44) bits from <paramref name="origin"/> with the flips
    /// dealt round-robin over the index's 11 chunks (3 x 24 bits, then 8 x 23), starting at chunk
    /// <paramref name="rotation"/>: the case its pigeonhole bound is tight for (31 = 10 chunks x 3 + 1).
    /// The flips within a chunk land 7 bits apart, so both the low (residual) and high (bucket) bits move.
    /// </summary>
    public static PdqHash SpreadOverElevenChunks(PdqHash origin, int distance, int rotation = 0)
    {
        int[] lengths = [24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23];
        var result = origin;
        for (var i = 0; i < distance; i++)
        {
            var chunk = (i + rotation) % 11;
            var start = lengths.Take(chunk).Sum();
            var bitInChunk = (((i / 11) * 7) + rotation) % lengths[chunk];
            result = result.WithBitFlipped(start + bitInChunk);
        }

        return result;
    }

    /// <summary>Sorted by distance then id, for comparing answers whose ties may come in any order.</summary>
    public static List<PdqMatch<int>> Canonical(IEnumerable<PdqMatch<int>> matches) =>
        [.. matches.OrderBy(m => m.Distance).ThenBy(m => m.Id)];
}
