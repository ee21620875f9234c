using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Grpc.Core;

namespace Federation.Hub.Grpc.Decoding;

/// <summary>
/// The request body of a gRPC call, with each message's 5-byte prefix (compressed flag, 32-bit big-endian length) checked as
/// it arrives, before grpc-dotnet reads it. grpc-dotnet answers a flag other than 0/1 and a length above 2 GiB with an
/// exception of its own (UNKNOWN, or a reset stream), and a compressed flag without <c>grpc-encoding</c> with INTERNAL; here
/// they are INVALID_ARGUMENT and RESOURCE_EXHAUSTED with a message that says what to fix. Only the prefixes are read: the
/// cost is a few comparisons per message, no copy.
/// </summary>
public sealed class GrpcRequestFrameReader(PipeReader inner, int maxMessageSize, bool encodingDeclared) : PipeReader
{
    private const int PrefixSize = 5;

    // Stream offsets from the start of the body: the first byte of the buffer handed out last, and the next unchecked prefix.
    private long bufferStart;
    private long nextPrefix;
    private ReadOnlySequence<byte> lastBuffer;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var pending = inner.ReadAsync(cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var result = pending.Result;
            Check(result.Buffer);
            return new ValueTask<ReadResult>(result);
        }

        return Awaited(pending);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        Check(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        Advanced(consumed);
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        Advanced(consumed);
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    /// <summary>RESOURCE_EXHAUSTED for a request message larger than the limit.</summary>
    public static RpcException TooLarge(long size, int limit) =>
        new(new Status(StatusCode.ResourceExhausted,
            $"A request message of {size:N0} bytes exceeds this hub's limit of {limit:N0} bytes (Federation:MaxRequestMessageBytes); send smaller batches."));

    private async ValueTask<ReadResult> Awaited(ValueTask<ReadResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        Check(result.Buffer);
        return result;
    }

    private void Advanced(SequencePosition consumed)
    {
        bufferStart += lastBuffer.Slice(0, consumed).Length;
        lastBuffer = default;
    }

    private void Check(ReadOnlySequence<byte> buffer)
    {
        lastBuffer = buffer;
        Span<byte> prefix = stackalloc byte[PrefixSize];
        while (nextPrefix + PrefixSize <= bufferStart + buffer.Length)
        {
            buffer.Slice(nextPrefix - bufferStart, PrefixSize).CopyTo(prefix);
            var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
            switch (prefix[0])
            {
                case 0:
                    break;
                case 1 when !encodingDeclared:
                    throw Invalid("A request message has the compressed flag set, but the request names no grpc-encoding (or 'identity'); send it uncompressed or declare its encoding in grpc-encoding.");
                case 1:
                    break;
                default:
                    throw Invalid($"A request message's compressed flag is {prefix[0]}; the gRPC framing allows only 0 (uncompressed) and 1 (compressed).");
            }

            if (length > maxMessageSize)
            {
                throw TooLarge(length, maxMessageSize);
            }

            nextPrefix += PrefixSize + length;
        }
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
