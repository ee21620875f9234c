using System.Text;
using Google.Protobuf;
using Grpc.Core;

namespace Federation.Hub.Grpc.Decoding;

/// <summary>
/// Request marshallers whose decode failures are the caller's fault, not the hub's. grpc-dotnet deserializes the request of
/// a unary or server-streaming call before any interceptor runs and turns whatever the deserializer throws (Google.Protobuf's
/// <see cref="InvalidProtocolBufferException"/>, or a <see cref="DecoderFallbackException"/> for a string that is not UTF-8)
/// into UNKNOWN "Exception was thrown by handler."; the wrapped deserializer raises INVALID_ARGUMENT saying why instead.
/// </summary>
public static class RequestDecoding
{
    /// <summary>The same method with a request marshaller whose decode failures are INVALID_ARGUMENT.</summary>
    public static Method<TRequest, TResponse> WithCheckedRequests<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class =>
        new(method.Type, method.ServiceName, method.Name, Checked(method.RequestMarshaller), method.ResponseMarshaller);

    /// <summary>A marshaller that serializes as <paramref name="inner"/> and decodes with it, failures raised as INVALID_ARGUMENT.</summary>
    public static Marshaller<T> Checked<T>(Marshaller<T> inner)
    {
        var deserialize = inner.ContextualDeserializer;
        return new Marshaller<T>(inner.ContextualSerializer, context =>
        {
            try
            {
                return deserialize(context);
            }
            catch (RpcException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw Undecodable(typeof(T).Name, e);
            }
        });
    }

    /// <summary>INVALID_ARGUMENT for a request message of type <paramref name="messageType"/> that did not decode.</summary>
    public static RpcException Undecodable(string messageType, Exception cause) =>
        new(new Status(StatusCode.InvalidArgument, $"The {messageType} message could not be decoded: {Reason(cause)} Send a valid protobuf encoding of federation.v1.{messageType}."));

    // Google.Protobuf's messages name the fault and never the bytes; a DecoderFallbackException's message quotes the
    // offending bytes (submitted data), so it gets a fixed text.
    private static string Reason(Exception cause) => cause switch
    {
        InvalidProtocolBufferException e => e.Message.TrimEnd('.') + ".",
        DecoderFallbackException => "a string field is not valid UTF-8.",
        _ => $"the bytes are not a protobuf message ({cause.GetType().Name}).",
    };
}
