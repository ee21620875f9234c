using Federation.Hub.Pdq;
using Federation.Hub.Services;
using Federation.Hub.Signals;
using Federation.Hub.Storage;

namespace Federation.Hub.Extensions;

/// <summary>Signal submission, look-up, opinions, retraction and expiry.</summary>
public static class SignalsExtensions
{
    public static WebApplicationBuilder AddFederationSignals(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SignalStore>();
        builder.Services.AddSingleton<SignalAdmissionStore>();
        builder.Services.AddSingleton<SignalSubmitter>();
        builder.Services.AddSingleton<SignalLookupService>();
        builder.Services.AddSingleton<SignalContributions>();
        // The per-replica PDQ index: near-match look-ups, kept current from the feed tail. Its start-up walk goes first.
        builder.Services.AddSingleton<Health.StartupWalks>();
        builder.Services.AddSingleton<PdqMatchIndex>();
        builder.Services.AddSingleton<IPdqMatcher>(sp => sp.GetRequiredService<PdqMatchIndex>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PdqMatchIndex>());
        builder.Services.AddSingleton<Vpdq.VideoMatchIndex>();
        builder.Services.AddSingleton<IVideoMatcher>(sp => sp.GetRequiredService<Vpdq.VideoMatchIndex>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Vpdq.VideoMatchIndex>());
        builder.Services.AddSingleton<SubmissionAuditBatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SubmissionAuditBatcher>());
        builder.Services.AddSingleton<SignalExpirySweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SignalExpirySweeper>());
        // Buckets follow the data: one replica at a time splits the fullest partitions' buckets (linear hashing).
        builder.Services.AddSingleton<BucketSplitStore>();
        builder.Services.AddSingleton<BucketSplitter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BucketSplitter>());
        return builder;
    }

    public static WebApplication MapFederationSignals(this WebApplication app)
    {
        app.MapGrpcService<SignalGrpcService>();
        return app;
    }
}
