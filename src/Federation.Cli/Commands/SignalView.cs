using Federation.Cli.Input;
using Federation.Contracts.V1;

namespace Federation.Cli.Commands;

/// <summary>Short human renderings of hub records.</summary>
public static class SignalView
{
    public static string Categories(Signal signal) => string.Join(",", signal.Categories.Select(SignalNames.CategoryName));

    public static string Opinions(Signal signal) =>
        signal.Opinions is { } o ? $"+{o.Confirmed} ?{o.Disputed} x{o.FalsePositive}" : "+0 ?0 x0";

    public static string Confidence(Signal signal) => signal.HasConfidence ? signal.Confidence.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";

    public static string Status(Signal signal) => signal.Status.ToString().ToLowerInvariant();
}
