using Federation.Contracts.V1;
using Federation.Core.Feed;

namespace Federation.Hub.Storage;

/// <summary>
/// One entry of a partition's feed stream as the signal scripts wrote it (fields <c>s</c>, <c>k</c>, <c>v</c>).
/// </summary>
/// <param name="Partition">The signal partition.</param>
/// <param name="Id">The stream entry id.</param>
/// <param name="StorageKey">The record's storage key (opaque bytes, for <see cref="SignalStore.GetByStorageKeysAsync"/>).</param>
/// <param name="Kind">What changed.</param>
/// <param name="Version">The record's version after the change.</param>
public sealed record FeedEntry(int Partition, FeedPosition Id, byte[] StorageKey, UpdateKind Kind, long Version);
