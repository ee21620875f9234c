using System.Text.Json;
using Federation.Cli.Infrastructure;
using Federation.Client;

namespace Federation.Cli.Profiles;

/// <summary>
/// Profiles under the fedctl home: <c>$FEDCTL_HOME</c>, else <c>$XDG_CONFIG_HOME/fedctl</c>, else
/// <c>~/.config/fedctl</c>. Layout: <c>profiles/&lt;name&gt;.json</c> (hub, client id, scopes) and
/// <c>profiles/&lt;name&gt;.secret</c> (mode 0600, folder 0700); <c>cursors/</c> for <c>tail --resume</c>.
/// Environment variables FEDCTL_HUB, FEDCTL_TOKEN_ENDPOINT, FEDCTL_CLIENT_ID, FEDCTL_CLIENT_SECRET
/// and FEDCTL_SCOPES override the profile (for CI jobs without a home folder).
/// </summary>
public sealed class ProfileStore(string home)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Home { get; } = home;

    public static ProfileStore Default()
    {
        var home = Environment.GetEnvironmentVariable("FEDCTL_HOME");
        if (string.IsNullOrEmpty(home))
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config))
            {
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            home = Path.Combine(config, "fedctl");
        }

        return new ProfileStore(Path.GetFullPath(home));
    }

    public string CursorDirectory => Path.Combine(Home, "cursors");

    public string ProfilePath(string name) => Path.Combine(ProfileDirectory, CheckName(name) + ".json");

    public string SecretPath(string name) => Path.Combine(ProfileDirectory, CheckName(name) + ".secret");

    private string ProfileDirectory => Path.Combine(Home, "profiles");

    public void Save(string name, ProfileSettings profile, string secret)
    {
        CreatePrivateDirectory(Home);
        CreatePrivateDirectory(ProfileDirectory);
        WritePrivate(SecretPath(name), secret + "\n");
        WritePrivate(ProfilePath(name), JsonSerializer.Serialize(profile, Json) + "\n");
    }

    /// <summary>The client options of a profile, with environment overrides applied.</summary>
    public FederationClientOptions Load(string name)
    {
        var envClientId = Environment.GetEnvironmentVariable("FEDCTL_CLIENT_ID");
        ProfileSettings? profile = null;
        var path = ProfilePath(name);
        if (File.Exists(path))
        {
            profile = JsonSerializer.Deserialize<ProfileSettings>(File.ReadAllText(path))
                ?? throw new CliException(ExitCodes.Auth, $"profile '{name}' at {path} is empty");
        }
        else if (string.IsNullOrEmpty(envClientId))
        {
            throw new CliException(ExitCodes.Auth, $"no profile '{name}' (looked for {path}); run 'fedctl login' first or set FEDCTL_CLIENT_ID");
        }

        profile ??= new ProfileSettings();
        var hub = Environment.GetEnvironmentVariable("FEDCTL_HUB") is { Length: > 0 } h ? h : profile.Hub;
        var tokenEndpoint = Environment.GetEnvironmentVariable("FEDCTL_TOKEN_ENDPOINT") is { Length: > 0 } t ? t : profile.TokenEndpoint;
        var clientId = envClientId is { Length: > 0 } ? envClientId : profile.ClientId;
        var secret = Environment.GetEnvironmentVariable("FEDCTL_CLIENT_SECRET");
        if (string.IsNullOrEmpty(secret))
        {
            var secretPath = SecretPath(name);
            if (!File.Exists(secretPath))
            {
                throw new CliException(ExitCodes.Auth, $"no secret for profile '{name}' (looked for {secretPath}); run 'fedctl login' again or set FEDCTL_CLIENT_SECRET");
            }

            secret = File.ReadAllText(secretPath).Trim();
        }

        if (string.IsNullOrEmpty(hub))
        {
            throw new CliException(ExitCodes.Usage, $"profile '{name}' has no hub address; run 'fedctl login --hub ...' or set FEDCTL_HUB");
        }

        var options = new FederationClientOptions
        {
            HubAddress = new Uri(hub),
            TokenEndpoint = string.IsNullOrEmpty(tokenEndpoint) ? null : new Uri(tokenEndpoint),
            ClientId = clientId,
            ClientSecret = secret,
        };
        var scopes = Environment.GetEnvironmentVariable("FEDCTL_SCOPES") is { Length: > 0 } s
            ? s.Split(' ', ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. profile.Scopes];
        foreach (var scope in scopes)
        {
            options.Scopes.Add(scope);
        }

        return options;
    }

    private static string CheckName(string name)
    {
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || name.StartsWith('.'))
        {
            throw CliException.Usage($"profile name '{name}' must be 1-64 letters, digits, '-', '_' or '.'");
        }

        return name;
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void WritePrivate(string path, string content)
    {
        // Create with 0600 from the start (no window where the secret is world-readable), then rename over.
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
