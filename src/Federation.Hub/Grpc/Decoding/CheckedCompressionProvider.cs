using Grpc.Net.Compression;

namespace Federation.Hub.Grpc.Decoding;

/// <summary>
/// A request compression provider (gzip, deflate) whose decompression is bounded by the message size limit and whose
/// corrupt input is INVALID_ARGUMENT. grpc-dotnet checks the limit against the compressed size only and decompresses into
/// memory without bound, so 8 MiB of gzip could expand to gigabytes; and a body that is not gzip surfaces as UNKNOWN.
/// </summary>
public sealed class CheckedCompressionProvider(ICompressionProvider inner, int maxMessageSize) : ICompressionProvider
{
    public string EncodingName => inner.EncodingName;

    public Stream CreateCompressionStream(Stream stream, System.IO.Compression.CompressionLevel? compressionLevel) =>
        inner.CreateCompressionStream(stream, compressionLevel);

    public Stream CreateDecompressionStream(Stream stream) =>
        new CheckedDecompressionStream(inner.CreateDecompressionStream(stream), inner.EncodingName, maxMessageSize);
}
