using Federation.Hub.Admission;
using Federation.Hub.Options;

namespace Federation.Hub.Extensions;

/// <summary>Fair sharing between members: the admission gate, the per-member call limits and Kestrel's stream limit.</summary>
public static class FairnessExtensions
{
    public static WebApplicationBuilder AddFederationFairness(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FederationOptions>()
            .Validate(o => ValidRange(o.Fairness), "Federation:Fairness: every limit must be within its documented range (FairnessOptions).")
            .Validate(
                o => o.Fairness.QuantumItems * 10 >= o.Signals.MaxBatchSize,
                "Federation:Fairness:QuantumItems must be at least a tenth of Federation:Signals:MaxBatchSize, so a slot is granted within ~10 rounds.")
            .Validate(
                o => o.Fairness.EffectiveMaxConcurrentCallsPerMember(Environment.ProcessorCount, o.Signals.MaxBatchSize)
                    <= o.Fairness.EffectiveMaxConcurrentCalls(Environment.ProcessorCount, o.Signals.MaxBatchSize),
                "Federation:Fairness:MaxConcurrentCallsPerMember must not exceed MaxConcurrentCalls.");

        var options = FederationOptions.From(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = options.Fairness.MaxStreamsPerConnection);
        builder.Services.AddSingleton<FairAdmissionGate>();
        builder.Services.AddSingleton<MemberCallLimits>();
        return builder;
    }

    /// <summary>After authorization (the member is known), before the endpoint reads the request.</summary>
    public static WebApplication UseFederationFairness(this WebApplication app)
    {
        app.UseMiddleware<MemberCallLimits>();
        return app;
    }

    // Nested options are not reached by ValidateDataAnnotations, so their [Range] attributes are checked here.
    private static bool ValidRange(FairnessOptions fairness) =>
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            fairness, new System.ComponentModel.DataAnnotations.ValidationContext(fairness), null, validateAllProperties: true);
}
