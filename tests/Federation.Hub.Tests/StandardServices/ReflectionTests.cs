using Federation.Hub.Tests.Infrastructure;
using Grpc.Reflection.V1Alpha;

namespace Federation.Hub.Tests.StandardServices;

/// <summary>gRPC server reflection, as grpcurl and other tools use it, over the hub's real HTTP/2 port.</summary>
public sealed class ReflectionTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Reflection_lists_the_hub_services_and_serves_their_descriptors()
    {
        var client = new ServerReflection.ServerReflectionClient(fixture.Hub.Invoker(token: null));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = client.ServerReflectionInfo(cancellationToken: bound.Token);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(bound.Token));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToArray();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "federation.v1.SignalService" });
        Assert.True(await call.ResponseStream.MoveNext(bound.Token));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes).Name).ToArray();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("federation.v1.SignalService", services);
        Assert.Contains("federation.v1.MembershipService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
        // The service's file and what it imports, so a tool can build every request and response message.
        Assert.Contains("federation/v1/signal_service.proto", files);
        Assert.Contains("federation/v1/signal.proto", files);
    }
}
