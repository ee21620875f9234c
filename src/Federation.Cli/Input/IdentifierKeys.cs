using Federation.Cli.Infrastructure;
using Federation.Client.Hashing;

namespace Federation.Cli.Input;

/// <summary>
/// The coalition keys fedctl computes keyed identifier values with: from <c>--key-file</c>, else from the
/// <see cref="CoalitionKeyRing.EnvironmentVariable"/> variable, else none (plain SHA-256). Never from an argument: a
/// process's arguments are readable by every user of the machine (<c>ps</c>, <c>/proc/&lt;pid&gt;/cmdline</c>).
/// Messages name the file, the entry and the key id, never key material.
/// </summary>
public static class IdentifierKeys
{
    /// <summary>The key ring to hash identifiers with, or null when no key file is given and the variable is unset.</summary>
    /// <exception cref="CliException">The file is missing or unreadable, or its content (or the variable's) is malformed.</exception>
    public static CoalitionKeyRing? Load(string? keyFile)
    {
        try
        {
            if (keyFile is not null)
            {
                if (!File.Exists(keyFile))
                {
                    throw CliException.Usage($"no such key file: {keyFile}");
                }

                WarnIfOthersCanRead(keyFile);
                return CoalitionKeyRing.Load(keyFile);
            }

            var variable = Environment.GetEnvironmentVariable(CoalitionKeyRing.EnvironmentVariable);
            return string.IsNullOrWhiteSpace(variable) ? null : CoalitionKeyRing.Parse(variable);
        }
        catch (FormatException e)
        {
            throw CliException.Usage($"{keyFile ?? CoalitionKeyRing.EnvironmentVariable}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read key file {keyFile}: {e.Message}");
        }
    }

    /// <summary>The keyed values of one <c>--url</c>/<c>--text</c>/<c>--account</c>/<c>--payment</c> input, one per key.</summary>
    /// <exception cref="CliException">An account or payment input is not <c>prefix:identifier</c>.</exception>
    public static IReadOnlyList<KeyedValue> Hash(CoalitionKeyRing keys, string kind, string value)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return kind switch
        {
            "url" => keys.Url(value),
            "text" => keys.Text(value),
            "account" => Pair(value, "account", "platform:account-id", keys.Account),
            "payment" => Pair(value, "payment", "rail:identifier", keys.Payment),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an identifier kind"),
        };
    }

    private static IReadOnlyList<KeyedValue> Pair(string value, string kind, string shape, Func<string, string, IReadOnlyList<KeyedValue>> hash)
    {
        var (prefix, identifier) = SignalNames.SplitPair(value, kind, shape);
        return hash(prefix, identifier);
    }

    // A key file is a secret shared by the coalition: say so when other users of the machine can read it.
    private static void WarnIfOthersCanRead(string keyFile)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if ((File.GetUnixFileMode(keyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            Console.Error.WriteLine($"warning: key file {keyFile} is readable by other users; restrict it (chmod 600 {keyFile})");
        }
    }
}
