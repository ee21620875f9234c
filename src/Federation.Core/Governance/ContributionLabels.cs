using System.Diagnostics.CodeAnalysis;
using Federation.Core.Signals;

namespace Federation.Core.Governance;

/// <summary>
/// The confidence (0-100) and TLP level a contribution may carry: the rules a submission's labels must pass and the
/// filter test feed and look-up share, so every interface applies one rule.
/// </summary>
public static class ContributionLabels
{
    /// <summary>Highest confidence.</summary>
    public const int MaxConfidence = 100;

    /// <summary>Rule name (like <see cref="SignalValidationRule"/>): the confidence is above 100.</summary>
    public const string ConfidenceRange = "confidence.range";

    /// <summary>Rule name: the share level is not a TLP 2.0 level.</summary>
    public const string ShareLevelUnknown = "share_level.unknown";

    /// <summary>Rule name: TLP:RED, which the hub refuses.</summary>
    public const string ShareLevelRed = "share_level.red";

    /// <summary>Checks a submission's labels; on failure <paramref name="error"/> names the field and the rule.</summary>
    public static bool TryValidate(uint? confidence, int level, [NotNullWhen(false)] out SignalValidationError? error)
    {
        error = null;
        if (confidence > MaxConfidence)
        {
            error = new SignalValidationError(ConfidenceRange, "confidence",
                $"confidence is 0-{MaxConfidence}; got {confidence}. Leave it unset when you do not rate the signal");
            return false;
        }

        if (level is < 0 or > (int)TlpLevel.Red)
        {
            error = new SignalValidationError(ShareLevelUnknown, "share_level",
                $"share_level {level} is not a TLP 2.0 level; use CLEAR, GREEN, AMBER or AMBER_STRICT (or leave it unset for GREEN)");
            return false;
        }

        if (level == (int)TlpLevel.Red)
        {
            error = new SignalValidationError(ShareLevelRed, "share_level",
                "TLP:RED is for named recipients only, and the hub delivers every signal to all members of the coalition or of its sharing group, so it cannot honour RED; share RED material person to person, or submit it as AMBER+STRICT to a sharing group");
            return false;
        }

        return true;
    }

    /// <summary>The level a contribution counts with: an unstated one is <see cref="TlpLevel.Green"/>.</summary>
    public static TlpLevel Effective(TlpLevel level) => level == TlpLevel.Unspecified ? TlpLevel.Green : level;

    /// <summary>
    /// Whether a record with <paramref name="confidence"/> (null: none stated) and <paramref name="level"/> passes the
    /// bounds <paramref name="minConfidence"/> (0 = none) and <paramref name="maxLevel"/> (Unspecified = none).
    /// </summary>
    public static bool Passes(int? confidence, TlpLevel level, int minConfidence, TlpLevel maxLevel) =>
        (minConfidence == 0 || confidence >= minConfidence)
        && (maxLevel == TlpLevel.Unspecified || Effective(level) <= maxLevel);

    /// <summary>Checks look-up or feed filter bounds; on failure returns the offending field suffix and what is wrong.</summary>
    public static string? ValidateBounds(uint minConfidence, int maxLevel, out string field)
    {
        if (minConfidence > MaxConfidence)
        {
            field = "min_confidence";
            return $"filter.min_confidence: min_confidence is 0-{MaxConfidence} (0 = no bound); got {minConfidence}";
        }

        if (maxLevel is < 0 or > (int)TlpLevel.Red)
        {
            field = "max_share_level";
            return $"filter.max_share_level: {maxLevel} is not a TLP 2.0 level; use CLEAR, GREEN, AMBER, AMBER_STRICT, or UNSPECIFIED for no bound";
        }

        field = "";
        return null;
    }
}
