using System.Buffers.Binary;
using System.Security.Cryptography;
using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>
/// A video's vPDQ in canonical form, as the hub stores and matches it: its distinct (hash, quality) frames sorted by
/// hash then quality, each with its frame count and first timestamp.
/// </summary>
/// <remarks>
/// Deduplicating keeps the counts, so matching over the set gives the reference C++ matcher's percentages over the
/// full frame list (each frame counts once, duplicates included). The <see cref="Identity"/> covers hashes, qualities
/// and counts, not timestamps (the match rule never reads them).
/// </remarks>
public sealed class VpdqFrameSet
{
    /// <summary>The most distinct frames one video may carry (about 40 bytes each stored; ~68 minutes at one hash per second).</summary>
    public const int MaxFeatures = 4096;

    private const byte EncodingVersion = 1;

    private readonly VpdqFeature[] features;

    private VpdqFrameSet(VpdqFeature[] sorted)
    {
        features = sorted;
        var total = 0L;
        foreach (var feature in sorted)
        {
            total += feature.Count;
        }

        TotalFrames = total;
        Identity = ComputeIdentity(sorted);
    }

    /// <summary>The distinct frames, sorted by hash (most significant word first), then quality.</summary>
    public ReadOnlySpan<VpdqFeature> Features => features;

    /// <summary>The distinct frames as a list.</summary>
    public IReadOnlyList<VpdqFeature> FeatureList => features;

    /// <summary>Sampled frames in all, duplicates included.</summary>
    public long TotalFrames { get; }

    /// <summary>
    /// SHA-256 over the canonical features: per feature its 32 hash bytes, 1 quality byte and 4-byte big-endian count.
    /// The raw value of the VPDQ signal (its id is <c>vpdq:</c> + these 32 bytes in hex).
    /// </summary>
    public byte[] Identity { get; }

    /// <summary>Builds the canonical set of a video's hashed frames.</summary>
    public static VpdqFrameSet FromFrames(IEnumerable<VpdqFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return FromFeatures(frames.Select(f => new VpdqFeature(f.Hash, f.Quality, 1, ToMilliseconds(f.Timestamp))));
    }

    /// <summary>Builds the canonical set from features in any order; equal (hash, quality) pairs merge (counts add, earliest timestamp kept).</summary>
    /// <exception cref="ArgumentException">A quality is outside 0..100 or a count below 1.</exception>
    public static VpdqFrameSet FromFeatures(IEnumerable<VpdqFeature> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var list = input.ToList();
        foreach (var feature in list)
        {
            if (feature.Quality is < 0 or > 100 || feature.Count < 1)
            {
                throw new ArgumentException("Every feature needs a quality of 0-100 and a count of at least 1.", nameof(input));
            }
        }

        list.Sort(Compare);
        var merged = new List<VpdqFeature>(list.Count);
        foreach (var feature in list)
        {
            if (merged.Count > 0 && merged[^1].Hash == feature.Hash && merged[^1].Quality == feature.Quality)
            {
                var last = merged[^1];
                merged[^1] = last with
                {
                    Count = checked(last.Count + feature.Count),
                    FirstTimestampMs = Math.Min(last.FirstTimestampMs, feature.FirstTimestampMs),
                };
            }
            else
            {
                merged.Add(feature);
            }
        }

        return new VpdqFrameSet([.. merged]);
    }

    /// <summary>The stored form: version byte, feature count, then per feature hash (32), quality (1), count and first timestamp (varints).</summary>
    public byte[] Encode()
    {
        var buffer = new byte[1 + 5 + (features.Length * (32 + 1 + 5 + 5))];
        var at = 0;
        buffer[at++] = EncodingVersion;
        at += WriteVarint(buffer.AsSpan(at), (uint)features.Length);
        foreach (var feature in features)
        {
            feature.Hash.WriteBytes(buffer.AsSpan(at, PdqHash.ByteLength));
            at += PdqHash.ByteLength;
            buffer[at++] = (byte)feature.Quality;
            at += WriteVarint(buffer.AsSpan(at), (uint)feature.Count);
            at += WriteVarint(buffer.AsSpan(at), feature.FirstTimestampMs);
        }

        return buffer[..at];
    }

    /// <summary>Reads the stored form back.</summary>
    /// <exception cref="FormatException">Not an encoded frame set.</exception>
    public static VpdqFrameSet Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data[0] != EncodingVersion)
        {
            throw new FormatException("Not an encoded vPDQ frame set.");
        }

        var at = 1;
        var n = (int)ReadVarint(data, ref at);
        var sorted = new VpdqFeature[n];
        for (var i = 0; i < n; i++)
        {
            if (at + PdqHash.ByteLength + 1 > data.Length)
            {
                throw new FormatException("Truncated vPDQ frame set.");
            }

            var hash = PdqHash.FromBytes(data.Slice(at, PdqHash.ByteLength));
            at += PdqHash.ByteLength;
            var quality = data[at++];
            var count = (int)ReadVarint(data, ref at);
            var timestamp = ReadVarint(data, ref at);
            sorted[i] = new VpdqFeature(hash, quality, count, timestamp);
        }

        return new VpdqFrameSet(sorted);
    }

    /// <summary>Seconds as the reference computes them, to whole milliseconds.</summary>
    public static uint ToMilliseconds(float seconds) =>
        seconds <= 0 ? 0 : (uint)Math.Min(uint.MaxValue, Math.Round(seconds * 1000.0));

    private static int Compare(VpdqFeature a, VpdqFeature b)
    {
        var c = a.Hash.Word0.CompareTo(b.Hash.Word0);
        if (c == 0)
        {
            c = a.Hash.Word1.CompareTo(b.Hash.Word1);
        }

        if (c == 0)
        {
            c = a.Hash.Word2.CompareTo(b.Hash.Word2);
        }

        if (c == 0)
        {
            c = a.Hash.Word3.CompareTo(b.Hash.Word3);
        }

        return c != 0 ? c : a.Quality.CompareTo(b.Quality);
    }

    private static byte[] ComputeIdentity(VpdqFeature[] sorted)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> entry = stackalloc byte[PdqHash.ByteLength + 1 + 4];
        foreach (var feature in sorted)
        {
            feature.Hash.WriteBytes(entry[..PdqHash.ByteLength]);
            entry[PdqHash.ByteLength] = (byte)feature.Quality;
            BinaryPrimitives.WriteInt32BigEndian(entry[(PdqHash.ByteLength + 1)..], feature.Count);
            sha.AppendData(entry);
        }

        return sha.GetHashAndReset();
    }

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= data.Length)
            {
                throw new FormatException("Truncated vPDQ frame set.");
            }

            var b = data[at++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("Bad varint in vPDQ frame set.");
    }
}
