namespace Federation.Client.Subscriptions;

/// <summary>
/// Where a subscription keeps the cursor of the last update its consumer processed, so a restarted
/// consumer continues where it stopped. Implement it over your own database to store the cursor in the
/// same transaction as the effects of the update (exactly-once processing).
/// </summary>
public interface ICursorStore
{
    /// <summary>The cursor saved under <paramref name="key"/>, or <see langword="null"/> when none was saved.</summary>
    ValueTask<string?> LoadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Saves <paramref name="cursor"/> under <paramref name="key"/>, replacing the previous one.</summary>
    ValueTask SaveAsync(string key, string cursor, CancellationToken cancellationToken = default);

    /// <summary>Forgets the cursor saved under <paramref name="key"/> (the next subscription starts afresh).</summary>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default);
}
