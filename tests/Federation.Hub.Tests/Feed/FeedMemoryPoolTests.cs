using Federation.Hub.Transport;

namespace Federation.Hub.Tests.Feed;

/// <summary>
/// Kestrel's pool as the hub configures it (it holds every Subscribe stream's output buffers): blocks are reused, and
/// at most the bound stays free after a burst.
/// </summary>
public sealed class FeedMemoryPoolTests
{
    [Fact]
    public void A_returned_block_is_handed_out_again()
    {
        using var pool = new BoundedBlockMemoryPool(4);
        var first = pool.Rent();
        var array = first.Memory;
        first.Dispose();

        using var second = pool.Rent();

        Assert.True(second.Memory.Span == array.Span);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void After_a_burst_at_most_the_bound_stays_free()
    {
        using var pool = new BoundedBlockMemoryPool(8);
        var burst = Enumerable.Range(0, 100).Select(_ => pool.Rent()).ToList();
        Assert.All(burst, b => Assert.Equal(BoundedBlockMemoryPool.BlockSize, b.Memory.Length));

        burst.ForEach(b => b.Dispose());

        Assert.Equal(8, pool.FreeBlocks);
    }

    [Fact]
    public void A_block_disposed_twice_is_returned_once()
    {
        using var pool = new BoundedBlockMemoryPool(8);
        var block = pool.Rent();

        block.Dispose();
        block.Dispose();

        Assert.Equal(1, pool.FreeBlocks);
        using var again = pool.Rent();
        using var other = pool.Rent();
        Assert.False(again.Memory.Span == other.Memory.Span);
    }

    [Fact]
    public void A_request_larger_than_a_block_is_refused()
    {
        using var pool = new BoundedBlockMemoryPool(8);

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedBlockMemoryPool.BlockSize + 1));
    }
}
