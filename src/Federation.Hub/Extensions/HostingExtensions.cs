using System.Net;
using Federation.Hub.Auth;
using Federation.Hub.Grpc;
using Federation.Hub.Options;
using Federation.Hub.Pdq;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using StackExchange.Redis;

namespace Federation.Hub.Extensions;

/// <summary>Options, listening ports, gRPC pipeline and health.</summary>
public static class HostingExtensions
{
    public static WebApplicationBuilder AddFederationHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FederationOptions>()
            .Bind(builder.Configuration.GetSection(FederationOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.Issuer, UriKind.Absolute, out _), "Federation:Issuer must be an absolute URI.")
            .Validate(o => o.Signals.MaxPdqDistance >= o.Signals.DefaultPdqDistance, "Federation:Signals:MaxPdqDistance must be at least DefaultPdqDistance.")
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

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxRequestMessageBytes;
            grpc.EnableDetailedErrors = false;
            grpc.Interceptors.Add<FailureStatusInterceptor>();
            grpc.Interceptors.Add<MemberAccessInterceptor>();
        });
        return builder;
    }

    public static WebApplication MapFederationHealth(this WebApplication app)
    {
        // Liveness: the process serves and reaches Redis.
        app.MapGet("/healthz", (IConnectionMultiplexer redis, PdqMatchIndex pdq) => Results.Json(
            new { status = redis.IsConnected ? "ok" : "redis-unavailable", pdqIndex = PdqState(pdq) },
            statusCode: redis.IsConnected ? 200 : 503));
        // Readiness: also the PDQ index is loaded, so a load balancer sends near-match look-ups only to replicas that can answer.
        app.MapGet("/healthz/ready", (IConnectionMultiplexer redis, PdqMatchIndex pdq) => Results.Json(
            new { status = redis.IsConnected && pdq.IsLoaded ? "ready" : "not-ready", pdqIndex = PdqState(pdq) },
            statusCode: redis.IsConnected && pdq.IsLoaded ? 200 : 503));
        return app;
    }

    private static object PdqState(PdqMatchIndex pdq) =>
        new { loaded = pdq.IsLoaded, scanned = pdq.Scanned, hashes = pdq.Count };
}
