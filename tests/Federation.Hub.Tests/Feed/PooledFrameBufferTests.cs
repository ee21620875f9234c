using Federation.Hub.Feed;

namespace Federation.Hub.Tests.Feed;

/// <summary>The subscriber's pooled frame buffer: grows across writes, keeps the bytes in order, and empties on Clear.</summary>
public sealed class PooledFrameBufferTests
{
    [Fact]
    public void Keeps_every_byte_in_order_across_growth_and_is_empty_after_clear()
    {
        var buffer = new PooledFrameBuffer();
        var expected = new List<byte>();
        for (var i = 0; i < 100; i++)
        {
            var frame = Enumerable.Range(0, 97 + i).Select(b => (byte)(b + i)).ToArray();
            frame.CopyTo(buffer.GetSpan(frame.Length));
            buffer.Advance(frame.Length);
            expected.AddRange(frame);
        }

        Assert.Equal(expected.ToArray(), buffer.WrittenSpan.ToArray());

        buffer.Clear();
        Assert.Equal(0, buffer.WrittenSpan.Length);

        buffer.GetSpan(3)[..3].Fill(7);
        buffer.Advance(3);
        Assert.Equal(new byte[] { 7, 7, 7 }, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Advancing_past_the_span_is_refused()
    {
        var buffer = new PooledFrameBuffer();
        var length = buffer.GetSpan(10).Length;

        Assert.Throws<InvalidOperationException>(() => buffer.Advance(length + 1));
    }
}
