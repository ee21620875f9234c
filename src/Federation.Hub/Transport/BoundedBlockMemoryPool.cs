using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Federation.Hub.Transport;

/// <summary>
/// Kestrel's memory pool (every connection's socket pipes and every HTTP/2 stream's output pipe), keeping at most
/// <see cref="MaxFreeBlocks"/> free blocks: a block returned beyond that is left to the garbage collector.
/// </summary>
/// <remarks>
/// Kestrel's own pool keeps every block it ever handed out and evicts 1 % of the free ones per 10 s while there is any
/// traffic (heartbeats are traffic), so after a burst to thousands of open Subscribe streams the hub went on holding the
/// burst's peak: measured with dotnet-gcdump, 28,564 free 4 KiB blocks (23 KiB per stream of 5,000) 40 s after a
/// 100 signals/s step (docs/feed.md, "Memory per stream"). With a bound, a burst allocates what it needs and hands it
/// back to the GC afterwards; below the bound blocks are reused as before. Blocks are pinned (the pinned object heap,
/// as Kestrel's), so socket I/O does not pin objects in the compacting heap.
/// </remarks>
internal sealed class BoundedBlockMemoryPool(int maxFreeBlocks) : MemoryPool<byte>
{
    /// <summary>The block size, as Kestrel's pool (one page).</summary>
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> free = new();
    private int freeCount;

    /// <summary>Free blocks kept for reuse at most.</summary>
    public int MaxFreeBlocks { get; } = maxFreeBlocks;

    /// <summary>Free blocks kept now.</summary>
    public int FreeBlocks => Volatile.Read(ref freeCount);

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref freeCount);
            block.Lease();
            return block;
        }

        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        while (free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref freeCount);
        }
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref freeCount) <= MaxFreeBlocks)
        {
            free.Enqueue(block);
            return;
        }

        Interlocked.Decrement(ref freeCount); // beyond the bound: the GC takes it
    }

    private sealed class Block(BoundedBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int returned;

        public Memory<byte> Memory { get; } = array;

        public void Lease() => Volatile.Write(ref returned, 0);

        // Returned once even if disposed twice: a block queued twice would be handed to two owners.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref returned, 1) == 0)
            {
                pool.Return(this);
            }
        }
    }
}

/// <summary>Creates Kestrel's pools (<see cref="IMemoryPoolFactory{T}"/>, one per endpoint) as <see cref="BoundedBlockMemoryPool"/>s.</summary>
internal sealed class BoundedBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>
    /// Free blocks kept per pool: 4 MiB, a few thousand streams' flushes in flight at once; a bigger burst allocates.
    /// </summary>
    public const int MaxFreeBlocks = 1024;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new BoundedBlockMemoryPool(MaxFreeBlocks);
}
