using System.Collections.Concurrent;

namespace Federation.Client.Subscriptions;

/// <summary>Keeps cursors in memory only: resumes across reconnects, not across process restarts. For tests and short-lived consumers.</summary>
public sealed class InMemoryCursorStore : ICursorStore
{
    private readonly ConcurrentDictionary<string, string> cursors = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<string?> LoadAsync(string key, CancellationToken cancellationToken = default) =>
        new(cursors.TryGetValue(key, out var cursor) ? cursor : null);

    /// <inheritdoc />
    public ValueTask SaveAsync(string key, string cursor, CancellationToken cancellationToken = default)
    {
        cursors[key] = cursor;
        return default;
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        cursors.TryRemove(key, out _);
        return default;
    }
}
