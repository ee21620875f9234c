namespace Federation.Hub.Storage;

/// <summary>One validated submission on its way into the partition's dedup script.</summary>
/// <param name="StorageKey">See <see cref="SignalStorageKey"/>.</param>
/// <param name="Categories">The submitted categories (<c>CategorySet.Bits</c>).</param>
/// <param name="ExpiresAtSeconds">When the contribution expires (unix seconds), 0 = never.</param>
/// <param name="Quality">PDQ quality, 0 for other types.</param>
public readonly record struct SignalWrite(byte[] StorageKey, uint Categories, long ExpiresAtSeconds, int Quality);
