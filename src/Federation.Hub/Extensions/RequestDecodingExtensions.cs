using System.IO.Pipelines;
using Federation.Hub.Grpc;
using Federation.Hub.Grpc.Decoding;
using Federation.Hub.Options;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Extensions;

/// <summary>
/// Undecodable or oversized gRPC requests answered INVALID_ARGUMENT / RESOURCE_EXHAUSTED with a message, for every service
/// (docs/decisions.md, "Malformed requests"): checked request marshallers, checked message prefixes, bounded decompression.
/// </summary>
public static class RequestDecodingExtensions
{
    /// <summary>Call after <c>AddGrpc</c>: replaces grpc-dotnet's method binder with <see cref="CheckedServiceMethodProvider{TService}"/>.</summary>
    public static WebApplicationBuilder AddFederationRequestDecoding(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // grpc-dotnet registers its binder as an open generic; a second provider next to it would bind every method twice.
        var binder = services.SingleOrDefault(d => d.ServiceType == typeof(IServiceMethodProvider<>)
                && d.ImplementationType is { Name: "BinderServiceMethodProvider`1" })
            ?? throw new InvalidOperationException("grpc-dotnet's BinderServiceMethodProvider registration was not found (call after AddGrpc; has Grpc.AspNetCore renamed it?).");
        services.Remove(binder);
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(CheckedServiceMethodProvider<>));

        var maxMessage = FederationOptions.From(builder.Configuration).MaxRequestMessageBytes;
        services.PostConfigure<GrpcServiceOptions>(grpc =>
        {
            for (var i = 0; i < grpc.CompressionProviders.Count; i++)
            {
                if (grpc.CompressionProviders[i] is not CheckedCompressionProvider)
                {
                    grpc.CompressionProviders[i] = new CheckedCompressionProvider(grpc.CompressionProviders[i], maxMessage);
                }
            }
        });
        return builder;
    }

    /// <summary>Checks each gRPC request message's prefix as it arrives (<see cref="GrpcRequestFrameReader"/>).</summary>
    public static WebApplication UseFederationRequestDecoding(this WebApplication app)
    {
        var maxMessage = app.Services.GetRequiredService<IOptions<FederationOptions>>().Value.MaxRequestMessageBytes;
        app.Use((context, next) =>
        {
            if (GrpcResponses.IsGrpc(context.Request)
                && context.Features.Get<IRequestBodyPipeFeature>() is { } body)
            {
                var encoding = context.Request.Headers["grpc-encoding"].ToString();
                var declared = encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase);
                context.Features.Set<IRequestBodyPipeFeature>(new CheckedBody(new GrpcRequestFrameReader(body.Reader, maxMessage, declared)));
            }

            return next(context);
        });
        return app;
    }

    private sealed class CheckedBody(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader => reader;
    }
}
