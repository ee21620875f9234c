using Federation.Core.Signals;

namespace Federation.Hub.Domain;

/// <summary>The signal a single-signal request names, as sent (normalized by <see cref="SignalReferences.Normalize"/>).</summary>
/// <param name="Kind">Its type.</param>
/// <param name="Value">Its hash as sent.</param>
/// <param name="KeyId">The coalition key id of a keyed HMAC type, otherwise empty.</param>
public readonly record struct SignalReference(SignalKind Kind, string Value, string KeyId);
