using System.Buffers.Text;
using Federation.Core.Feed;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Federation.Core.Tests.Properties;

/// <summary>
/// Properties of <see cref="FeedCursor"/> (FsCheck, bounded runs; a failure prints the seed to replay): any text a client
/// sends is decoded or refused with a reason, never thrown; every position vector round-trips; a decoded cursor is the one
/// canonical text of its vector.
/// </summary>
public sealed class FeedCursorProperties
{
    private static readonly Gen<ulong> Numbers = Gen.OneOf(
        Gen.Elements(0UL, 1UL, 127UL, 128UL, 16_383UL, 16_384UL, ulong.MaxValue - 1, ulong.MaxValue),
        ArbMap.Default.GeneratorFor<ulong>());

    private static readonly Gen<FeedPosition[]> Vectors =
        from count in Gen.Choose(1, 64)
        from positions in Gen.ArrayOf(
            from ms in Numbers
            from seq in Numbers
            from ordinal in Numbers
            select new FeedPosition(ms, seq, ordinal), count)
        select positions;

    // Arbitrary text, and base64url of arbitrary bytes (random text is rarely base64url, so the byte-level checks are
    // reached through this), and valid cursors with one character changed or cut.
    private static readonly Gen<string> Texts = Gen.OneOf(
        ArbMap.Default.GeneratorFor<string>(),
        ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null).Select(b => Base64Url.EncodeToString(b)),
        from vector in Vectors
        from cut in Gen.Choose(0, 1000)
        from replacement in Gen.Elements('A', '_', '-', '=', ' ', '/', '+', 'z')
        let text = FeedCursor.Encode(vector)
        let at = cut % text.Length
        select cut % 2 == 0 ? text[..at] : text[..at] + replacement + text[(at + 1)..]);

    [Property(MaxTest = 3000)]
    public Property Any_text_is_decoded_or_refused_with_a_reason_never_thrown() =>
        Prop.ForAll(Arb.From(Texts), text =>
        {
            if (FeedCursor.TryDecode(text, out var positions, out var error))
            {
                return error.Length == 0 && positions.Length is > 0 and <= FeedCursor.MaxPartitions && FeedCursor.Encode(positions) == text;
            }

            return error.Length > 0 && positions.Length == 0;
        });

    [Property(MaxTest = 1000)]
    public Property Every_position_vector_round_trips() =>
        Prop.ForAll(Arb.From(Vectors), vector =>
            FeedCursor.TryDecode(FeedCursor.Encode(vector), out var decoded, out _) && decoded.AsSpan().SequenceEqual(vector));
}
