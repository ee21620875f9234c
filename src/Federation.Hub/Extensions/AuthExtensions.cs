using Federation.Hub.Auth;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
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
        if (string.IsNullOrWhiteSpace(options.Tokens.Audience))
        {
            // OpenIddict is wired before the options are validated, and would fail with a less helpful message; this is the
            // only check of the audience (an options rule could never fire after it).
            throw new OptionsValidationException(FederationOptions.Section, typeof(FederationOptions), ["Federation:Tokens:Audience must not be empty."]);
        }

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
                // Tokens carry the hub's audience and are refused without it; exp, nbf and iat get the same small skew.
                validation.AddAudiences(options.Tokens.Audience);
                validation.Configure(o => o.TokenValidationParameters.ClockSkew = options.Tokens.ClockSkew);
                validation.AddEventHandler(TokenTimeValidator.Descriptor);
            });

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization(authorization =>
        {
            foreach (var scope in FederationScopes.All)
            {
                authorization.AddPolicy(scope, policy => policy
                    .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .AddRequirements(new ScopeRequirement(scope)));
            }

            authorization.DefaultPolicy = new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build();
        });
        builder.Services.AddSingleton<MemberAccess>();
        builder.Services.AddSingleton<MemberAccessInterceptor>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();
        builder.Services.AddSingleton<TokenThrottleStore>();
        builder.Services.AddOptions<FederationOptions>()
            .Validate(o => o.Tokens.ClockSkew >= TimeSpan.Zero && o.Tokens.ClockSkew <= TimeSpan.FromMinutes(5),
                "Federation:Tokens:ClockSkew must be between 0 and 5 minutes.")
            .Validate(o => o.Tokens.MaxRequestBytes is >= 1024 and <= 1024 * 1024, "Federation:Tokens:MaxRequestBytes must be between 1024 and 1048576.")
            .Validate(o => ValidThrottle(o.Tokens.Throttle),
                "Federation:Tokens:Throttle: bursts must be 1-100000 and intervals between 1 ms and 1 hour; KnownSourceRetention and RefusalAuditInterval positive.");
        return builder;
    }

    public static WebApplication UseFederationAuth(this WebApplication app)
    {
        // In front of OpenIddict (which runs inside the authentication middleware): no client input becomes a 500.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/connect/token", StringComparison.OrdinalIgnoreCase),
            token => token.UseMiddleware<TokenEndpointGuard>());
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static bool ValidThrottle(TokenThrottleOptions t)
    {
        static bool Interval(TimeSpan i) => i >= TimeSpan.FromMilliseconds(1) && i <= TimeSpan.FromHours(1);
        static bool Burst(int b) => b is >= 1 and <= 100_000;
        return Burst(t.ClientBurst) && Burst(t.SourceClientBurst) && Burst(t.SourceBurst)
            && Interval(t.ClientInterval) && Interval(t.SourceClientInterval) && Interval(t.SourceInterval)
            && t.KnownSourceRetention > TimeSpan.Zero && t.RefusalAuditInterval > TimeSpan.Zero;
    }
}
