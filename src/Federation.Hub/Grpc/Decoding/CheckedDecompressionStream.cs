using Grpc.Core;

namespace Federation.Hub.Grpc.Decoding;

/// <summary>A read-only decompression stream that stops past <c>maxMessageSize</c> bytes and reports corrupt input as INVALID_ARGUMENT.</summary>
public sealed class CheckedDecompressionStream(Stream inner, string encoding, int maxMessageSize) : Stream
{
    private long produced;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => produced;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"A request message is marked compressed with grpc-encoding '{encoding}' but does not decompress as {encoding}; compress it with {encoding} or send it uncompressed."));
        }

        produced += read;
        if (produced > maxMessageSize)
        {
            throw GrpcRequestFrameReader.TooLarge(produced, maxMessageSize);
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
