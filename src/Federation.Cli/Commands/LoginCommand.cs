using System.CommandLine;
using Federation.Cli.Infrastructure;
using Federation.Cli.Profiles;
using Federation.Client;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl login</c>: checks credentials against the token endpoint and saves them as a profile.</summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var hub = new Option<string>("--hub") { Description = "The hub's gRPC address, e.g. https://hub.example.org or http://127.0.0.1:5081", Required = true };
        var clientId = new Option<string>("--client-id") { Description = "Your member (client) id", Required = true };
        var tokenEndpoint = new Option<string?>("--token-endpoint") { Description = "Token endpoint; default: discovered from the hub (its /.well-known/openid-configuration), else derived from --hub (https: same origin; http: port - 1)" };
        var scopes = new Option<string[]>("--scope") { Description = "Scope to request (repeatable); default signals.submit signals.read", AllowMultipleArgumentsPerToken = true };
        var secretFile = new Option<FileInfo?>("--secret-file") { Description = "Read the client secret from this file" };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the client secret from the first line of standard input" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Save without requesting a token first" };
        var command = new Command("login", "Save a profile (hub address, client id, secret in a 0600 file) after checking the credentials. " +
            "The secret comes from --secret-file, --secret-stdin, $FEDCTL_CLIENT_SECRET or a prompt; never from the command line.")
        {
            hub, clientId, tokenEndpoint, scopes, secretFile, secretStdin, noVerify,
        };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var secret = await ReadSecretAsync(context.Get(secretFile), context.Get(secretStdin), cancellationToken);
            var profile = new ProfileSettings
            {
                Hub = CliException.AbsoluteUri(context.Get(hub), "--hub").ToString(),
                ClientId = context.Get(clientId),
                TokenEndpoint = context.Get(tokenEndpoint) is { } endpoint ? CliException.AbsoluteUri(endpoint, "--token-endpoint").ToString() : null,
                Scopes = [.. context.Get(scopes) ?? []],
            };
            if (!context.Get(noVerify))
            {
                var options = new FederationClientOptions
                {
                    HubAddress = new Uri(profile.Hub),
                    TokenEndpoint = profile.TokenEndpoint is null ? null : new Uri(profile.TokenEndpoint),
                    ClientId = profile.ClientId,
                    ClientSecret = secret,
                    MaxRetryAttempts = 1,
                };
                profile.Scopes.ForEach(options.Scopes.Add);
                using var client = new FederationClient(options);
                await client.GetAccessTokenAsync(cancellationToken);
            }

            context.Profiles.Save(context.ProfileName, profile, secret);
            if (context.Json)
            {
                context.WritePlainJson(new { profile = context.ProfileName, hub = profile.Hub, clientId = profile.ClientId, path = context.Profiles.ProfilePath(context.ProfileName) });
            }
            else
            {
                context.WriteLine($"logged in: profile '{context.ProfileName}' ({profile.ClientId} at {profile.Hub}) saved to {context.Profiles.ProfilePath(context.ProfileName)}");
            }

            return ExitCodes.Ok;
        });
    }

    private static async Task<string> ReadSecretAsync(FileInfo? file, bool stdin, CancellationToken cancellationToken)
    {
        string? secret;
        if (file is not null)
        {
            secret = (await File.ReadAllTextAsync(file.FullName, cancellationToken)).Trim();
        }
        else if (stdin)
        {
            secret = (await Console.In.ReadLineAsync(cancellationToken))?.Trim();
        }
        else if (Environment.GetEnvironmentVariable("FEDCTL_CLIENT_SECRET") is { Length: > 0 } fromEnvironment)
        {
            secret = fromEnvironment;
        }
        else if (!Console.IsInputRedirected)
        {
            secret = AnsiConsole.Prompt(new TextPrompt<string>("Client secret:").Secret());
        }
        else
        {
            throw CliException.Usage("no client secret: use --secret-file, --secret-stdin or FEDCTL_CLIENT_SECRET");
        }

        return string.IsNullOrEmpty(secret) ? throw CliException.Usage("the client secret is empty") : secret;
    }
}
