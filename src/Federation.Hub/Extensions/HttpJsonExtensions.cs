using Federation.Hub.Auth;
using Federation.Hub.HttpJson;
using Federation.Hub.Options;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi.Models;

namespace Federation.Hub.Extensions;

/// <summary>
/// HTTP/JSON for every member and admin RPC (gRPC JSON transcoding of the <c>google.api.http</c> routes in
/// <c>protos/</c>; docs/http-json.md) and its OpenAPI document, generated from the same protos and served at
/// <see cref="OpenApiPath"/>. The routes call the gRPC service methods themselves: same authorization, interceptors,
/// validation and fair-sharing limits; only the errors change form.
/// </summary>
public static class HttpJsonExtensions
{
    /// <summary>Where the hub serves its OpenAPI document (checked in as docs/openapi.json).</summary>
    public const string OpenApiPath = "/openapi/v1.json";

    public static WebApplicationBuilder AddFederationHttpJson(this WebApplicationBuilder builder)
    {
        // Error details the hub sends (field violations, retry delays) must be known to the JSON writer to format an Any.
        builder.Services.AddGrpc().AddJsonTranscoding(json => json.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor, RetryInfo.Descriptor));
        builder.Services.AddSingleton<HttpJsonErrorInterceptor>();
        // Outermost, so it sees the refusals of every other interceptor (AddGrpc's list is configured before this runs).
        builder.Services.PostConfigure<GrpcServiceOptions>(grpc =>
        {
            grpc.Interceptors.Add<HttpJsonErrorInterceptor>();
            var registration = grpc.Interceptors[^1];
            grpc.Interceptors.RemoveAt(grpc.Interceptors.Count - 1);
            grpc.Interceptors.Insert(0, registration);
        });

        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Federation hub",
                Version = "v1",
                Description = "HTTP/JSON form of the hub's gRPC API (protos/federation/v1), by gRPC JSON transcoding. "
                    + "Bearer tokens from POST /connect/token (OAuth 2.0 client credentials); errors are google.rpc.Status JSON. See docs/http-json.md.",
            });
            // Proto comments become the generated C#'s XML docs; the Contracts project ships them beside its assembly.
            var comments = Path.Combine(AppContext.BaseDirectory, "Federation.Contracts.xml");
            if (File.Exists(comments))
            {
                swagger.IncludeGrpcXmlComments(comments, includeControllerXmlComments: true);
            }

            swagger.AddSecurityDefinition("oauth2", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth 2.0 client credentials; send the access token as 'Authorization: Bearer <token>'.",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        // Relative to the hub, so the document is the same whatever the issuer and ports.
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = FederationScopes.All.ToDictionary(s => s, s => s),
                    },
                },
            });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "oauth2" } }] = [],
            });
        });
        return builder;
    }

    /// <summary>
    /// Caps an HTTP/JSON request body at <see cref="FederationOptions.MaxRequestMessageBytes"/>, as gRPC caps a request
    /// message: a declared larger body is RESOURCE_EXHAUSTED (gRPC's code) with HTTP 413 (waiting would not help, so
    /// not 429) before it is read; a chunked one is cut off by Kestrel and refused by the JSON reader with
    /// INVALID_ARGUMENT. Call before authorization.
    /// </summary>
    public static WebApplication UseFederationHttpJson(this WebApplication app)
    {
        var maxMessage = app.Services.GetRequiredService<IOptions<FederationOptions>>().Value.MaxRequestMessageBytes;
        app.Use((context, next) =>
        {
            if (!HttpJsonCalls.IsTranscoded(context))
            {
                return next(context);
            }

            if (context.Request.ContentLength > maxMessage)
            {
                return JsonStatusResponses.WriteAsync(context.Response, global::Grpc.Core.StatusCode.ResourceExhausted,
                    $"The request body of {context.Request.ContentLength} bytes is over the hub's limit of {maxMessage} bytes "
                    + "(Federation:MaxRequestMessageBytes); send smaller batches.", httpStatus: StatusCodes.Status413PayloadTooLarge);
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = maxMessage;
            }

            return next(context);
        });
        return app;
    }

    public static WebApplication MapFederationOpenApi(this WebApplication app)
    {
        app.MapSwagger(OpenApiPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        return app;
    }
}
