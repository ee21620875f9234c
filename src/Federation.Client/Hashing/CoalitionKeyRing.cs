namespace Federation.Client.Hashing;

/// <summary>
/// The coalition keys a member holds: one normally, two during a rotation window (docs/security.md, "Key rotation").
/// Every method returns the keyed value under <b>each</b> key, so a member that submits and looks up everything the ring
/// gives keeps matching both the members still on the old key and those already on the new one; when the window closes
/// the member drops the old key from its ring and nothing else changes.
/// </summary>
/// <remarks>
/// Text form (<see cref="Parse"/>, <c>fedctl hash --key-file</c>, the <c>FEDERATION_COALITION_KEYS</c> variable): one
/// <c>&lt;key id&gt;=&lt;hex key&gt;</c> entry per line or separated by <c>;</c>, blank lines and lines starting with
/// <c>#</c> ignored, e.g. <c>k2026=9f86d0…</c> (64 hex characters for a 32-byte key).
/// </remarks>
public sealed class CoalitionKeyRing
{
    /// <summary>The environment variable fedctl reads keys from when no key file is given.</summary>
    public const string EnvironmentVariable = "FEDERATION_COALITION_KEYS";

    /// <summary>Creates a ring of one or more keys with distinct key ids, in the order given.</summary>
    /// <exception cref="ArgumentException">No key, or two keys with one key id.</exception>
    public CoalitionKeyRing(IEnumerable<CoalitionKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("a key ring holds at least one coalition key", nameof(keys));
        }

        if (list.GroupBy(k => k.KeyId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"key id '{twice.Key}' appears twice; every key needs its own id", nameof(keys));
        }

        Keys = list.AsReadOnly();
    }

    /// <summary>The keys, in the order given (the value lists follow it).</summary>
    public IReadOnlyList<CoalitionKey> Keys { get; }

    /// <summary>Parses the text form (see the remarks). Error messages name the line and the key id, never a key.</summary>
    /// <exception cref="FormatException">A malformed entry, a duplicate key id, or no entry at all.</exception>
    public static CoalitionKeyRing Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<CoalitionKey>();
        var entries = text.Split(['\n', ';']);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            if (entry.Length == 0 || entry.StartsWith('#'))
            {
                continue;
            }

            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"coalition key entry {i + 1} is not '<key id>=<hex key>'");
            }

            if (!CoalitionKey.TryFromHex(entry[..equals].Trim(), entry[(equals + 1)..], out var key, out var error))
            {
                throw new FormatException($"coalition key entry {i + 1}: {error}");
            }

            if (keys.Any(k => k.KeyId == key.KeyId))
            {
                throw new FormatException($"coalition key entry {i + 1}: key id '{key.KeyId}' appears twice; every key needs its own id");
            }

            keys.Add(key);
        }

        return keys.Count > 0 ? new CoalitionKeyRing(keys) : throw new FormatException("no coalition key: write one '<key id>=<hex key>' entry per line");
    }

    /// <summary>Reads a key file in the text form.</summary>
    /// <exception cref="FormatException">The file's content is malformed.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CoalitionKeyRing Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The values of a URL under every key (<see cref="KeyedHashing.Url"/>).</summary>
    public IReadOnlyList<KeyedValue> Url(string url) => [.. Keys.Select(key => KeyedHashing.Url(key, url))];

    /// <summary>The values of an account under every key (<see cref="KeyedHashing.Account"/>).</summary>
    public IReadOnlyList<KeyedValue> Account(string platform, string accountId) =>
        [.. Keys.Select(key => KeyedHashing.Account(key, platform, accountId))];

    /// <summary>The values of a text under every key (<see cref="KeyedHashing.Text"/>).</summary>
    public IReadOnlyList<KeyedValue> Text(string text) => [.. Keys.Select(key => KeyedHashing.Text(key, text))];

    /// <summary>The values of a payment identifier under every key (<see cref="KeyedHashing.Payment"/>).</summary>
    public IReadOnlyList<KeyedValue> Payment(string rail, string identifier) =>
        [.. Keys.Select(key => KeyedHashing.Payment(key, rail, identifier))];
}
