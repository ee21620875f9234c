using System.Buffers;

namespace Federation.Hub.Feed;

/// <summary>
/// A subscriber's frames between two flushes, in an array rented from <see cref="ArrayPool{T}.Shared"/> and given
/// back on <see cref="Clear"/>: an idle subscriber holds no buffer, a busy one allocates nothing per flush.
/// </summary>
internal sealed class PooledFrameBuffer : IBufferWriter<byte>
{
    private const int MinimumRent = 4096;
    private byte[] buffer = [];
    private int written;

    /// <summary>The bytes written since the last <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (written + count > buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsSpan(written);
    }

    /// <summary>Forgets what was written and returns the array to the pool.</summary>
    public void Clear()
    {
        written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return;
        }

        var next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumRent, buffer.Length * 2)));
        buffer.AsSpan(0, written).CopyTo(next);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        buffer = next;
    }
}
