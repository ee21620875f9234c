using Federation.Core.Feed;

namespace Federation.Core.Tests.Feed;

public sealed class FeedPositionTests
{
    [Theory]
    [InlineData("0-0", 0UL, 0UL)]
    [InlineData("1764000000000-5", 1764000000000UL, 5UL)]
    [InlineData("1764000000000", 1764000000000UL, 0UL)]
    [InlineData("18446744073709551615-18446744073709551615", ulong.MaxValue, ulong.MaxValue)]
    public void Redis_ids_parse(string text, ulong ms, ulong seq)
    {
        Assert.True(FeedPosition.TryParse(text, out var position));
        Assert.Equal(new FeedPosition(ms, seq), position);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1-")]
    [InlineData("a-1")]
    [InlineData("1-2-3")]
    [InlineData("+1-2")]
    [InlineData("18446744073709551616-0")]
    public void Non_ids_do_not_parse(string text)
    {
        Assert.False(FeedPosition.TryParse(text, out _));
    }

    [Fact]
    public void Order_is_milliseconds_then_sequence()
    {
        var a = new FeedPosition(1, 9);
        var b = new FeedPosition(2, 0);
        var c = new FeedPosition(2, 1);

        Assert.True(a < b && b < c && c > a && a <= b && c >= b);
        Assert.Equal("2-1", c.ToString());
    }
}
