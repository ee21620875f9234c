using Federation.Core.Signals;

namespace Federation.Hub.Domain;

/// <summary>Turns the <see cref="SignalReference"/> of a single-signal request into the normalized signal, or a clear INVALID_ARGUMENT.</summary>
public static class SignalReferences
{
    /// <summary>The normalized signal <paramref name="reference"/> names; a missing or malformed one is INVALID_ARGUMENT on field <c>signal</c>.</summary>
    public static NormalizedSignal Normalize(SignalReference? reference)
    {
        if (reference is null)
        {
            throw HubErrors.InvalidArgument("signal", "signal.missing: signal (type and value) is required");
        }

        if (!SignalNormalizer.TryNormalize(reference.Value.Kind, reference.Value.Value, reference.Value.KeyId, SignalNormalizer.MaxPdqQuality, 0, out var signal, out var error))
        {
            throw HubErrors.InvalidArgument($"signal.{error.Field}", $"{error.Rule}: {error.Message}");
        }

        return signal;
    }
}
