using System.Text;
using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

public sealed class SignalRoundTripPropertyTests
{
    private const int Seed = 20_260_601;
    private const int CasesPerKind = 2_000;

    public static TheoryData<SignalKind> SupportedKinds => SignalTestData.Kinds;

    [Theory]
    [MemberData(nameof(SupportedKinds))]
    public void Random_values_round_trip_through_hex_normalize_key_and_id(SignalKind kind)
    {
        var random = new Random(Seed + (int)kind);
        var raw = new byte[SignalRules.Get(kind).RawLength];
        Span<byte> key = stackalloc byte[SignalRules.MaxKeyLength];

        for (var i = 0; i < CasesPerKind; i++)
        {
            random.NextBytes(raw);
            var hex = Convert.ToHexStringLower(raw);
            var submitted = Pad(random) + RandomCase(random, hex) + Pad(random);

            Assert.True(
                SignalNormalizer.TryNormalize(kind, submitted, 100, 50, out var signal, out var error),
                $"case {i} (seed {Seed + (int)kind}): {error}");
            var written = signal.WriteKey(key);
            var fromKey = NormalizedSignal.FromKey(key[..written]);
            Assert.True(NormalizedSignal.TryParseId(signal.Id, out var fromId));

            Assert.Equal(hex, fromKey.ToHex());
            Assert.True(fromKey.RawBytes.SequenceEqual(raw));
            Assert.Equal(signal, fromKey);
            Assert.Equal(signal, fromId);
            Assert.Equal(((raw[0] << 8) | raw[1]) % 16, fromKey.Partition(16));
        }
    }

    private static string RandomCase(Random random, string hex)
    {
        var builder = new StringBuilder(hex.Length);
        foreach (var c in hex)
        {
            builder.Append(random.Next(2) == 0 ? c : char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    private static string Pad(Random random) => random.Next(4) switch
    {
        0 => " ",
        1 => "\t",
        2 => "\n ",
        _ => string.Empty,
    };
}
