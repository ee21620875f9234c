using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Federation.Hub.Feed;

/// <summary>
/// gRPC length-prefixed message framing (<c>[compressed flag = 0][uint32 big-endian length][protobuf]</c>),
/// so an update serialized once can be copied as-is onto every subscriber's response stream.
/// </summary>
internal static class GrpcFrames
{
    private const int HeaderLength = 5;

    /// <summary>The complete frame of <paramref name="message"/>, uncompressed.</summary>
    public static byte[] Build(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[HeaderLength + size];
        WriteHeader(frame, size);
        message.WriteTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Serializes <paramref name="message"/> as a frame straight into <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message)
    {
        var size = message.CalculateSize();
        var span = writer.GetSpan(HeaderLength + size);
        WriteHeader(span, size);
        message.WriteTo(span.Slice(HeaderLength, size));
        writer.Advance(HeaderLength + size);
    }

    private static void WriteHeader(Span<byte> destination, int size)
    {
        destination[0] = 0; // not compressed
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
    }
}
