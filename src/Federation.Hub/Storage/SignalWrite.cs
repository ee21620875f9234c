using Federation.Core.Governance;

namespace Federation.Hub.Storage;

/// <summary>One validated submission on its way into the partition's dedup script.</summary>
/// <param name="StorageKey">See <see cref="SignalStorageKey"/>.</param>
/// <param name="Categories">The submitted categories (<c>CategorySet.Bits</c>).</param>
/// <param name="ExpiresAtSeconds">When the contribution expires (unix seconds), 0 = never.</param>
/// <param name="Quality">PDQ quality, 0 for other types.</param>
/// <param name="Confidence">The stated confidence 0-100, or null.</param>
/// <param name="ShareLevel">The stated TLP level (Unspecified counts as GREEN; never RED).</param>
public readonly record struct SignalWrite(
    byte[] StorageKey, uint Categories, long ExpiresAtSeconds, int Quality, int? Confidence = null, TlpLevel ShareLevel = TlpLevel.Unspecified);
