using Federation.Core.Signals;

namespace Federation.Core.Tests.Signals;

/// <summary>Shared inputs for the signal tests: the supported kinds and well-formed values for each.</summary>
internal static class SignalTestData
{
    public const int MinQuality = SignalNormalizer.DefaultMinPdqQuality;

    public static readonly SignalKind[] SupportedKinds =
    [
        SignalKind.Pdq, SignalKind.Md5, SignalKind.Sha1, SignalKind.Sha256,
        SignalKind.UrlSha256, SignalKind.AccountSha256, SignalKind.TextSha256, SignalKind.PaymentSha256,
    ];

    public static TheoryData<SignalKind> Kinds => new(SupportedKinds);

    /// <summary>Every supported kind crossed with every given extra argument.</summary>
    public static TheoryData<SignalKind, string> Cross(params string[] values)
    {
        var data = new TheoryData<SignalKind, string>();
        foreach (var kind in SupportedKinds)
        {
            foreach (var value in values)
            {
                data.Add(kind, value);
            }
        }

        return data;
    }

    /// <summary>A valid lowercase hex value of the kind's length: "0123456789abcdef" repeated.</summary>
    public static string ValidHex(SignalKind kind) =>
        string.Concat(Enumerable.Repeat("0123456789abcdef", 4))[..SignalRules.Get(kind).HexLength];

    /// <summary>A passing quality for PDQ, null (not needed) for every other kind.</summary>
    public static uint? QualityFor(SignalKind kind) => kind == SignalKind.Pdq ? 80u : null;

    public static bool TryNormalize(SignalKind kind, string? value, out NormalizedSignal signal, out SignalValidationError? error) =>
        SignalNormalizer.TryNormalize(kind, value, QualityFor(kind), MinQuality, out signal, out error);

    public static NormalizedSignal Normalize(SignalKind kind, string value)
    {
        Assert.True(TryNormalize(kind, value, out var signal, out var error), error?.ToString());
        return signal;
    }

    public static SignalValidationError Reject(SignalKind kind, string? value)
    {
        Assert.False(TryNormalize(kind, value, out var signal, out var error), $"expected {kind} '{value}' to be rejected");
        Assert.True(signal.IsDefault);
        Assert.NotNull(error);
        return error;
    }
}
