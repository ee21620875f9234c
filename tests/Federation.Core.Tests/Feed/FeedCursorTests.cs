using Federation.Core.Feed;

namespace Federation.Core.Tests.Feed;

public sealed class FeedCursorTests
{
    [Fact]
    public void Encoded_vector_decodes_to_the_same_positions()
    {
        FeedPosition[] positions = [FeedPosition.Zero, new(1_764_000_000_000, 0), new(1_764_000_000_123, 42), new(ulong.MaxValue, ulong.MaxValue)];

        var text = FeedCursor.Encode(positions);
        var ok = FeedCursor.TryDecode(text, out var decoded, out var error);

        Assert.True(ok, error);
        Assert.Equal(positions, decoded);
    }

    [Fact]
    public void Cursor_text_is_url_safe_without_padding()
    {
        var positions = Enumerable.Range(0, 16).Select(i => new FeedPosition(1_764_000_000_000UL + (ulong)i, (ulong)(i * 300))).ToArray();

        var text = FeedCursor.Encode(positions);

        Assert.All(text, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"unexpected '{c}'"));
    }

    [Fact]
    public void Equal_vectors_encode_to_identical_text()
    {
        FeedPosition[] a = [new(5, 1), new(7, 0)];
        FeedPosition[] b = [new(5, 1), new(7, 0)];

        Assert.Equal(FeedCursor.Encode(a), FeedCursor.Encode(b));
    }

    [Fact]
    public void Sixteen_partitions_of_real_ids_stay_compact()
    {
        var positions = Enumerable.Range(0, 16).Select(i => new FeedPosition(1_764_000_000_000UL + (ulong)i, 3)).ToArray();

        var text = FeedCursor.Encode(positions);

        Assert.True(text.Length < 180, $"cursor is {text.Length} chars");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 !")]
    [InlineData("AQ")] // version 1, no count
    [InlineData("Ag")] // version 2
    [InlineData("AQA")] // zero partitions
    public void Malformed_text_is_refused_with_a_reason(string? text)
    {
        var ok = FeedCursor.TryDecode(text, out var positions, out var error);

        Assert.False(ok);
        Assert.Empty(positions);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Truncated_cursor_is_refused()
    {
        var text = FeedCursor.Encode([new FeedPosition(1_764_000_000_000, 9), new FeedPosition(1_764_000_000_001, 0)]);
        var bytes = Base64UrlDecode(text);

        var ok = FeedCursor.TryDecode(Base64UrlEncode(bytes[..^1]), out _, out var error);

        Assert.False(ok);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var bytes = Base64UrlDecode(FeedCursor.Encode([new FeedPosition(1, 2)]));

        var ok = FeedCursor.TryDecode(Base64UrlEncode([.. bytes, 0]), out _, out var error);

        Assert.False(ok);
        Assert.Contains("trailing", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_canonical_varint_is_refused()
    {
        // version 1, count 1, ms = 1 written as two bytes (0x81 0x00), seq 0.
        var ok = FeedCursor.TryDecode(Base64UrlEncode([1, 1, 0x81, 0x00, 0]), out _, out _);

        Assert.False(ok);
    }

    [Fact]
    public void Overlong_varint_is_refused()
    {
        byte[] bytes = [1, 1, .. Enumerable.Repeat((byte)0xFF, 10), 0];

        var ok = FeedCursor.TryDecode(Base64UrlEncode(bytes), out _, out _);

        Assert.False(ok);
    }

    [Fact]
    public void Random_vectors_round_trip()
    {
        var random = new Random(1234);
        for (var round = 0; round < 500; round++)
        {
            var positions = new FeedPosition[random.Next(1, 64)];
            for (var i = 0; i < positions.Length; i++)
            {
                positions[i] = new FeedPosition((ulong)random.NextInt64(), (ulong)random.Next(0, 1 << 20));
            }

            Assert.True(FeedCursor.TryDecode(FeedCursor.Encode(positions), out var decoded, out var error), error);
            Assert.Equal(positions, decoded);
        }
    }

    [Fact]
    public void Encoding_refuses_an_empty_vector()
    {
        Assert.Throws<ArgumentException>(() => FeedCursor.Encode([]));
    }

    private static byte[] Base64UrlDecode(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight((text.Length + 3) / 4 * 4, '='));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
