using System.Net;
using System.Net.Http.Headers;

namespace Federation.Hub.Tests.Grpc;

/// <summary>
/// One gRPC call made by hand over h2c with <see cref="HttpClient"/>: the body is exactly the bytes given (5-byte message
/// prefixes included), so a test can send what no gRPC client library would.
/// </summary>
public static class RawGrpcCall
{
    /// <summary>The gRPC status and message the hub answered, from the trailers or from a trailers-only response's headers.</summary>
    public sealed record Answer(int HttpStatus, int? GrpcStatus, string? GrpcMessage);

    /// <summary>A 5-byte gRPC message prefix (compressed flag, big-endian length) followed by <paramref name="message"/>.</summary>
    public static byte[] Frame(byte[] message, byte flag = 0, uint? declaredLength = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    public static async Task<Answer> SendAsync(HttpClient http, string grpcAddress, string path, string token, byte[] body, string? grpcEncoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(grpcAddress), path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (grpcEncoding is not null)
        {
            request.Headers.Add("grpc-encoding", grpcEncoding);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await response.Content.CopyToAsync(Stream.Null, cancel.Token);
        return new Answer(
            (int)response.StatusCode,
            Header(response.TrailingHeaders, "grpc-status") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
                : Header(response.Headers, "grpc-status") is { } h ? int.Parse(h, System.Globalization.CultureInfo.InvariantCulture) : null,
            Uri.UnescapeDataString(Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? ""));
    }

    /// <summary>An HTTP/2-only client for plaintext loopback (h2c with prior knowledge).</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version20 };

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
