using System.Globalization;
using System.Runtime.InteropServices;

namespace Federation.Core.Feed;

/// <summary>
/// A position in one partition's feed: a Redis stream entry id <c>&lt;milliseconds&gt;-&lt;sequence&gt;</c>.
/// <see cref="Zero"/> (<c>0-0</c>) is "before the first entry". Ordered as Redis orders ids.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct FeedPosition(ulong Milliseconds, ulong Sequence) : IComparable<FeedPosition>
{
    /// <summary>Before every entry (<c>0-0</c>).</summary>
    public static FeedPosition Zero => default;

    /// <summary>Longest text form: two 20-digit numbers and a dash.</summary>
    public const int MaxTextLength = 41;

    /// <summary>Parses <c>ms-seq</c> (or a bare <c>ms</c>, meaning <c>ms-0</c>) as Redis writes entry ids.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out FeedPosition position)
    {
        position = default;
        var dash = text.IndexOf('-');
        var msText = dash < 0 ? text : text[..dash];
        var seqText = dash < 0 ? "0".AsSpan() : text[(dash + 1)..];
        if (!ulong.TryParse(msText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        position = new FeedPosition(ms, seq);
        return true;
    }

    /// <summary>Parses an id Redis returned; throws on anything else.</summary>
    /// <exception cref="FormatException">Not a stream id.</exception>
    public static FeedPosition Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var position) ? position : throw new FormatException($"'{text}' is not a Redis stream id.");

    /// <summary>The smallest id of the given millisecond (<c>ms-0</c>), e.g. for MINID trimming.</summary>
    public static FeedPosition AtMilliseconds(ulong milliseconds) => new(milliseconds, 0);

    /// <inheritdoc />
    public int CompareTo(FeedPosition other)
    {
        var byMs = Milliseconds.CompareTo(other.Milliseconds);
        return byMs != 0 ? byMs : Sequence.CompareTo(other.Sequence);
    }

    /// <summary>The Redis form, <c>ms-seq</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");

    public static bool operator <(FeedPosition left, FeedPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(FeedPosition left, FeedPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(FeedPosition left, FeedPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(FeedPosition left, FeedPosition right) => left.CompareTo(right) >= 0;
}
