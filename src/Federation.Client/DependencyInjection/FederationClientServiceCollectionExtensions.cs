using Federation.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="FederationClient"/> in a service collection.</summary>
public static class FederationClientServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> used for token requests (configure it with <c>AddHttpClient(name)</c>).</summary>
    public const string TokenHttpClientName = "Federation.Client.Token";

    /// <summary>
    /// The name of the HTTP handler pipeline the gRPC channel uses (add delegating handlers, a proxy or client certificates
    /// with <c>AddHttpClient(name)</c>; its primary handler starts as <see cref="FederationClient.CreateGrpcHandler"/>).
    /// </summary>
    public const string GrpcHttpClientName = "Federation.Client.Grpc";

    /// <summary>The configuration section the options are usually bound from.</summary>
    public const string DefaultSection = "Federation:Client";

    /// <summary>
    /// Registers a singleton <see cref="FederationClient"/> whose options are bound from <paramref name="section"/>
    /// (for example <c>builder.Configuration.GetSection("Federation:Client")</c>: <c>HubAddress</c>, <c>ClientId</c>,
    /// <c>ClientSecret</c>, <c>Scopes</c>, ...), then adjusted by <paramref name="configure"/> when given.
    /// The options are validated when the host starts, naming the first missing or invalid setting.
    /// </summary>
    public static IServiceCollection AddFederationClient(this IServiceCollection services, IConfiguration section, Action<FederationClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddFederationClient(options =>
        {
            section.Bind(options);
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Registers a singleton <see cref="FederationClient"/> configured by <paramref name="configure"/>. Token requests
    /// go through the <see cref="IHttpClientFactory"/> client named <see cref="TokenHttpClientName"/>, gRPC calls through the
    /// handler pipeline named <see cref="GrpcHttpClientName"/> (created once: the channel keeps its connections). The options are
    /// validated when the host starts (and on first resolve without a host), naming the first missing or invalid setting.
    /// </summary>
    public static IServiceCollection AddFederationClient(this IServiceCollection services, Action<FederationClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FederationClientOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FederationClientOptions>, FederationClientOptionsValidator>();
        services.AddHttpClient(TokenHttpClientName);
        // The channel takes its handler once and keeps it for the client's life, so rotation would only leave a second
        // pipeline behind: an infinite lifetime says so.
        services.AddHttpClient(GrpcHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(FederationClient.CreateGrpcHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton(sp => new FederationClient(
            sp.GetRequiredService<IOptions<FederationClientOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(TokenHttpClientName),
            sp.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(GrpcHttpClientName),
            sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>Runs <see cref="FederationClientOptions.Validate"/>, whose message names the setting, as options validation.</summary>
    private sealed class FederationClientOptionsValidator : IValidateOptions<FederationClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, FederationClientOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
