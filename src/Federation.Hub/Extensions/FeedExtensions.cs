using Federation.Hub.Feed;
using Federation.Hub.Storage;

namespace Federation.Hub.Extensions;

/// <summary>The live feed: the replica's tail reader, subscriptions, access monitor, retention.</summary>
public static class FeedExtensions
{
    public static WebApplicationBuilder AddFederationFeed(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FeedStreamStore>();
        builder.Services.AddSingleton<FeedStreamReader>();
        builder.Services.AddSingleton<FeedLog>();
        builder.Services.AddSingleton<FeedTail>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedTail>());
        builder.Services.AddSingleton<FeedAccessMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedAccessMonitor>());
        builder.Services.AddSingleton<FeedRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FeedRetention>());
        builder.Services.AddSingleton<FeedSubscriptions>();
        return builder;
    }

    /// <summary>Nothing to map: Subscribe is served by <see cref="Services.SignalGrpcService"/>.</summary>
    public static WebApplication MapFederationFeed(this WebApplication app) => app;
}
