using Federation.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="FederationClient"/> in a service collection.</summary>
public static class FederationClientServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> used for token requests (configure it with <c>AddHttpClient(name)</c>).</summary>
    public const string TokenHttpClientName = "Federation.Client.Token";

    /// <summary>
    /// Registers a singleton <see cref="FederationClient"/> configured by <paramref name="configure"/>
    /// (for example <c>o =&gt; builder.Configuration.GetSection("Federation:Client").Bind(o)</c>). Token
    /// requests go through the <see cref="IHttpClientFactory"/> client named <see cref="TokenHttpClientName"/>.
    /// </summary>
    public static IServiceCollection AddFederationClient(this IServiceCollection services, Action<FederationClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FederationClientOptions>().Configure(configure).Validate(
            o =>
            {
                try
                {
                    o.Validate();
                    return true;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            },
            "FederationClientOptions are invalid: HubAddress, ClientId and ClientSecret are required.");
        services.AddHttpClient(TokenHttpClientName);
        services.AddSingleton(sp => new FederationClient(
            sp.GetRequiredService<IOptions<FederationClientOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(TokenHttpClientName),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
