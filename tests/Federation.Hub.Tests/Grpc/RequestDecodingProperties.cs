using System.Buffers;
using Federation.Contracts.V1;
using Federation.Hub.Grpc.Decoding;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using Grpc.Core;

namespace Federation.Hub.Tests.Grpc;

/// <summary>
/// The checked request decoding (<see cref="RequestDecoding"/>) over arbitrary bytes and over mutated valid messages, for the
/// request type of every method of every service (FsCheck, bounded runs; a failure prints the seed to replay): a payload
/// either decodes or raises INVALID_ARGUMENT saying it could not be decoded, never any other exception.
/// </summary>
public sealed class RequestDecodingProperties
{
    /// <summary>Each method's checked deserializer, as the hub binds it, and a valid request to mutate.</summary>
    private static readonly List<(string Method, Func<byte[], object> Decode, byte[] Valid)> Methods = Capture();

    private static readonly Gen<byte[]> Mutated =
        from method in Gen.Choose(0, Methods.Count - 1)
        from edits in Gen.ArrayOf(
            from kind in Gen.Choose(0, 3)
            from at in Gen.Choose(0, 10_000)
            from value in Gen.Choose(0, 255)
            select (kind, at, value), 3)
        select Mutate(Methods[method].Valid, edits);

    private static readonly Gen<byte[]> Payloads = Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null), Mutated);

    [Property(MaxTest = 1000)]
    public Property Any_payload_decodes_or_is_invalid_argument() =>
        Prop.ForAll(Arb.From(Payloads), Arb.From(Gen.Choose(0, Methods.Count - 1)), (payload, index) =>
        {
            var (method, decode, _) = Methods[index];
            try
            {
                return (decode(payload) is not null).Label(method);
            }
            catch (RpcException e)
            {
                return (e.StatusCode == StatusCode.InvalidArgument && e.Status.Detail.Contains("could not be decoded", StringComparison.Ordinal))
                    .Label($"{method}: {e.Status}");
            }
        });

    [Fact]
    public void Every_method_of_every_service_is_covered_and_valid_requests_decode()
    {
        Assert.Contains(Methods, m => m.Method == "/federation.v1.SignalService/SubmitStream");
        Assert.Contains(Methods, m => m.Method == "/federation.v1.MembershipService/GetStats");
        Assert.All(Methods, m => Assert.NotNull(m.Decode(m.Valid)));
    }

    // Edits: 0 flip a byte, 1 cut the tail, 2 insert a byte, 3 append 0x0B (start group) many times.
    private static byte[] Mutate(byte[] valid, (int Kind, int At, int Value)[] edits)
    {
        var bytes = new List<byte>(valid);
        foreach (var (kind, at, value) in edits)
        {
            var i = bytes.Count == 0 ? 0 : at % bytes.Count;
            switch (kind)
            {
                case 0 when bytes.Count > 0:
                    bytes[i] ^= (byte)(value | 1);
                    break;
                case 1:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
                case 2:
                    bytes.Insert(i, (byte)value);
                    break;
                default:
                    bytes.AddRange(Enumerable.Repeat((byte)0x0B, value * 4));
                    break;
            }
        }

        return [.. bytes];
    }

    private static List<(string, Func<byte[], object>, byte[])> Capture()
    {
        var binder = new CapturingBinder();
        SignalService.BindService(binder, null);
        MembershipService.BindService(binder, null);
        return binder.Methods;
    }

    private sealed class CapturingBinder : ServiceBinderBase
    {
        public List<(string, Func<byte[], object>, byte[])> Methods { get; } = [];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) => Add(method);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) => Add(method);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) => Add(method);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) => Add(method);

        private void Add<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class
            where TResponse : class
        {
            var deserialize = RequestDecoding.WithCheckedRequests(method).RequestMarshaller.ContextualDeserializer;
            Methods.Add((method.FullName, bytes => deserialize(new Payload(bytes)), Sample<TRequest>()));
        }

        // A valid request with every string and repeated message field of the top level filled, so mutations hit real fields.
        private static byte[] Sample<TRequest>()
            where TRequest : class
        {
            var message = (IMessage)Activator.CreateInstance<TRequest>()!;
            foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
            {
                if (field.IsRepeated && field.FieldType == Google.Protobuf.Reflection.FieldType.Message)
                {
                    var list = (System.Collections.IList)field.Accessor.GetValue(message)!;
                    list.Add(Activator.CreateInstance(field.MessageType.ClrType));
                }
                else if (!field.IsRepeated && !field.IsMap && field.FieldType == Google.Protobuf.Reflection.FieldType.String)
                {
                    field.Accessor.SetValue(message, "value-" + field.Name);
                }
            }

            return message.ToByteArray();
        }
    }

    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
