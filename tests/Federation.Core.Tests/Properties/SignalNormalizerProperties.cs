using Federation.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Federation.Core.Tests.Properties;

/// <summary>
/// Properties of <see cref="SignalNormalizer"/> over arbitrary input (FsCheck; bounded runs; a failure prints the seed to
/// replay with <c>[Property(Replay = "...")]</c>): it accepts or refuses with a <see cref="SignalValidationError"/>, never
/// throws, never echoes a refused value, and normalizing a normalized value changes nothing.
/// </summary>
public sealed class SignalNormalizerProperties
{
    // Every documented rule name (the public constants of SignalValidationRule).
    private static readonly HashSet<string> Rules = [.. typeof(SignalValidationRule).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    private static readonly SignalKind[] Kinds = [.. Enum.GetValues<SignalKind>(), (SignalKind)99, (SignalKind)(-1)];

    // A type and a value near its accepted shape: hex of the type's length (or one off), any case, with whitespace, a
    // prefix or a stray character; or an arbitrary string. Random strings alone would almost never reach the accepting path.
    private static readonly Gen<(SignalKind Kind, string Value)> Inputs =
        from kind in Gen.Elements(Kinds)
        from value in Gen.Frequency(
            (1, ArbMap.Default.GeneratorFor<string>().Where(s => s is not null)),
            (3, NearlyValid(SignalRules.TryGet(kind, out var info) ? info.HexLength : 64)))
        select (kind, value);

    private static Gen<string> NearlyValid(int hexLength) =>
        from length in Gen.Elements(hexLength, hexLength, hexLength, hexLength - 1, hexLength + 1, 0)
        from chars in Gen.ArrayOf(Gen.Elements("0123456789abcdefABCDEF".ToCharArray()), Math.Max(0, length))
        from decoration in Gen.Elements("", "", "", " ", "\t\n", "0x", "sha256:", "@", "://", "g", "\u00e9", "\0")
        from place in Gen.Choose(0, 2)
        select place switch
        {
            0 => decoration + new string(chars),
            1 => new string(chars) + decoration,
            _ => new string(chars).Insert(chars.Length / 2, decoration),
        };

    private static readonly Gen<uint?> Qualities = Gen.OneOf(Gen.Constant<uint?>(null), Gen.Choose(0, 120).Select(q => (uint?)q), Gen.Constant<uint?>(uint.MaxValue));

    [Property(MaxTest = 2000)]
    public Property Any_type_and_value_is_accepted_or_refused_with_a_reason_never_thrown() =>
        Prop.ForAll(Arb.From(Inputs), Arb.From(Qualities), (input, quality) =>
        {
            var (kind, value) = input;
            var accepted = SignalNormalizer.TryNormalize(kind, value, quality, SignalNormalizer.DefaultMinPdqQuality, out var signal, out var error);
            if (accepted)
            {
                return error is null && signal.Kind == kind && signal.ToHex().Equals(value.Trim(), StringComparison.OrdinalIgnoreCase) && !signal.ToHex().Any(char.IsAsciiLetterUpper);
            }

            var trimmed = value.Trim();
            return error is not null && Rules.Contains(error.Rule) && error.Message.Length > 0
                && (trimmed.Length < 8 || !error.Message.Contains(trimmed, StringComparison.Ordinal));
        });

    [Property(MaxTest = 1000)]
    public Property Normalizing_a_normalized_value_gives_the_same_signal() =>
        Prop.ForAll(Arb.From(Inputs), input =>
        {
            var (kind, value) = input;
            if (!SignalNormalizer.TryNormalize(kind, value, 90, SignalNormalizer.DefaultMinPdqQuality, out var once, out _))
            {
                return true;
            }

            return SignalNormalizer.TryNormalize(kind, once.ToHex(), 90, SignalNormalizer.DefaultMinPdqQuality, out var twice, out _)
                && twice.Equals(once)
                && NormalizedSignal.TryParseId(once.Id, out var parsed) && parsed.Equals(once);
        });

    [Fact]
    public void The_generator_reaches_both_the_accepting_and_the_refusing_path()
    {
        var outcomes = Gen.Sample(Inputs, 2000).Select(i => SignalNormalizer.TryNormalize(i.Kind, i.Value, 90, SignalNormalizer.DefaultMinPdqQuality, out _, out _)).ToList();

        Assert.InRange(outcomes.Count(accepted => accepted), 50, 1950);
    }
}
