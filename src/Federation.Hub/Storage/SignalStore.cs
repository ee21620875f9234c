using Federation.Hub.Options;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Storage;

/// <summary>
/// PLACEHOLDER on the feed branch so the feed compiles against the signals/feed contract
/// (handoff/signals-feed-contract.md); the real store comes with the merge of branch <c>signals</c>.
/// </summary>
public sealed class SignalStore(IOptions<FederationOptions> options)
{
    public int PartitionCount => options.Value.Signals.Partitions;

    public Task<SignalRecord?[]> GetByStorageKeysAsync(int partition, IReadOnlyList<byte[]> storageKeys) =>
        throw new NotSupportedException("Placeholder until branch signals is merged.");

    public IAsyncEnumerable<SignalRecord> ScanActiveAsync(int partition, CancellationToken ct) =>
        throw new NotSupportedException("Placeholder until branch signals is merged.");
}
