using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Storage;

namespace Federation.Bench;

/// <summary>
/// Random SHA-256 signals for the benchmarks: hex values for gRPC submissions and the hub's own storage keys for
/// driving the store directly. Each generator is seeded, so runs are repeatable; streams with different seeds do
/// not collide in practice (2^-256).
/// </summary>
internal sealed class BenchSignals(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>A new lower-case SHA-256 value.</summary>
    public string NextValue()
    {
        Span<byte> raw = stackalloc byte[32];
        random.NextBytes(raw);
        return Convert.ToHexStringLower(raw);
    }

    public static SignalSubmission Submission(string value) => new()
    {
        Type = SignalType.Sha256,
        Value = value,
        Categories = { Category.Csam },
    };

    /// <summary>The write the hub's submitter builds for a coalition-wide SHA-256 signal with the default retention.</summary>
    public (int Partition, SignalWrite Write) NextWrite(int partitions, long expiresAtSeconds)
    {
        var value = NextValue();
        if (!SignalNormalizer.TryNormalize(SignalKind.Sha256, value, null, 50, out var signal, out var error))
        {
            throw new InvalidOperationException(error.Message);
        }

        var categories = CategorySet.Of(SignalCategory.Csam);
        return (signal.Partition(partitions), new SignalWrite(SignalStorageKey.Create(signal, ""), categories.Bits, expiresAtSeconds, 0));
    }
}
