using System.Text;

namespace Federation.Client.Subscriptions;

/// <summary>
/// Keeps each cursor in its own file, <c>&lt;directory&gt;/&lt;key&gt;.cursor</c>. A save writes a temporary
/// file, flushes it to disk and renames it over the old one, so after a crash the file holds either the
/// old or the new cursor, never a torn mix.
/// </summary>
public sealed class FileCursorStore : ICursorStore
{
    /// <summary>Creates the store; the directory is created when missing.</summary>
    public FileCursorStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The folder holding the cursor files.</summary>
    public string Directory { get; }

    /// <summary>The file that holds the cursor saved under <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is empty or contains characters other than letters, digits, '.', '-' and '_'.</exception>
    public string PathFor(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > 200 || key.StartsWith('.') || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException($"cursor key '{key}' must be 1-200 characters of letters, digits, '.', '-' or '_', not starting with '.'", nameof(key));
        }

        return Path.Combine(Directory, key + ".cursor");
    }

    /// <inheritdoc />
    public async ValueTask<string?> LoadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        try
        {
            var text = (await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false)).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(string key, string cursor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        var path = PathFor(key);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(cursor + "\n"), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathFor(key));
        return default;
    }
}
