using Federation.Hub.Auth;
using Federation.Hub.Options;
using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Federation.Hub.Extensions;

/// <summary>
/// The OAuth 2.0 token endpoint (OpenIddict server, client credentials, degraded mode: members
/// live in Redis, no database) and bearer-token validation of gRPC calls.
/// </summary>
public static class AuthExtensions
{
    public static WebApplicationBuilder AddFederationAuth(this WebApplicationBuilder builder)
    {
        var options = FederationOptions.From(builder.Configuration);

        builder.Services.AddOpenIddict()
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token");
                server.SetJsonWebKeySetEndpointUris(".well-known/jwks");
                server.SetConfigurationEndpointUris(".well-known/openid-configuration");
                server.AllowClientCredentialsFlow();
                server.RegisterScopes([.. FederationScopes.All]);
                server.SetIssuer(new Uri(options.Issuer, UriKind.Absolute));
                server.SetAccessTokenLifetime(options.AccessTokenLifetime);

                // No database: client authentication and sign-in are our handlers, tokens are not stored.
                server.EnableDegradedMode();
                server.DisableTokenStorage();
                server.AddEventHandler(ClientCredentialsValidator.Descriptor);
                server.AddEventHandler(ClientCredentialsSignIn.Descriptor);
                server.AddEventHandler(DiscoveryEndpointsFromIssuer.Descriptor);

                // Signed, unencrypted JWTs: any resource server or non-.NET client can verify them
                // from the published JWKS. The encryption key is required by OpenIddict but encrypts
                // nothing this hub issues, so an ephemeral one is fine.
                server.AddSigningKey(SigningKeys.Load(options.SigningKeyPath, options.DataPath));
                server.AddEphemeralEncryptionKey();
                server.DisableAccessTokenEncryption();

                var aspNetCore = server.UseAspNetCore();
                if (!options.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization(authorization =>
        {
            foreach (var scope in FederationScopes.All)
            {
                authorization.AddPolicy(scope, policy => policy
                    .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .RequireAssertion(context => context.User.HasScope(scope)));
            }

            authorization.DefaultPolicy = new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build();
        });
        builder.Services.AddSingleton<MemberAccessInterceptor>();
        return builder;
    }

    public static WebApplication UseFederationAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
