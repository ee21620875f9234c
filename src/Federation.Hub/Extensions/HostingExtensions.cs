using System.Net;
using Federation.Hub.Auth;
using Federation.Hub.Grpc;
using Federation.Hub.Options;
using Federation.Hub.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Federation.Hub.Extensions;

/// <summary>Options, listening ports and the gRPC pipeline.</summary>
public static class HostingExtensions
{
    public static WebApplicationBuilder AddFederationHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FederationOptions>()
            .Bind(builder.Configuration.GetSection(FederationOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.Issuer, UriKind.Absolute, out _), "Federation:Issuer must be an absolute URI.")
            .Validate(o => o.Signals.MaxPdqDistance >= o.Signals.DefaultPdqDistance, "Federation:Signals:MaxPdqDistance must be at least DefaultPdqDistance.")
            .Validate(o => o.Store.ReplicaAcknowledgementTimeout >= TimeSpan.FromMilliseconds(1) && o.Store.ReplicaAcknowledgementTimeout <= TimeSpan.FromSeconds(10),
                "Federation:Store:ReplicaAcknowledgementTimeout must be between 1 ms and 10 s.")
            .ValidateOnStart();

        var options = FederationOptions.From(builder.Configuration);
        if (!builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            // Plaintext: HTTP/1.1 and h2c cannot share a port, so token/health and gRPC get one each.
            // With TLS, configure Kestrel:Endpoints instead and one port serves both through ALPN.
            var address = IPAddress.Parse(options.ListenAddress);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(address, options.HttpPort, l => l.Protocols = HttpProtocols.Http1);
                kestrel.Listen(address, options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
            });
        }

        // Registered after Kestrel's default (a TryAdd), so Kestrel resolves this one: its pools keep a bounded number
        // of free blocks instead of a burst's peak (Transport/BoundedBlockMemoryPool).
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, BoundedBlockMemoryPoolFactory>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRequestMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<FailureStatusInterceptor>();
            grpc.Interceptors.Add<MemberAccessInterceptor>();
        });
        return builder;
    }
}
