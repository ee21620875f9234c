using System.Diagnostics;

namespace Federation.Cli.Tests;

/// <summary>Runs the built fedctl as a separate process with its own FEDCTL_HOME.</summary>
public sealed class Fedctl : IDisposable
{
    public Fedctl()
    {
        Home = Directory.CreateTempSubdirectory("fedctl-home-").FullName;
    }

    public string Home { get; }

    /// <summary>fedctl.dll in the CLI project's own output folder (set at build time).</summary>
    public static string FedctlPath { get; } = typeof(Fedctl).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FedctlPath").Value!;

    public Dictionary<string, string> Environment { get; } = [];

    public void Dispose() => Directory.Delete(Home, recursive: true);

    public async Task<Result> RunWithInputAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(FedctlPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["FEDCTL_HOME"] = Home;
        foreach (var name in new[] { "FEDCTL_PROFILE", "FEDCTL_HUB", "FEDCTL_CLIENT_ID", "FEDCTL_CLIENT_SECRET", "FEDCTL_TOKEN_ENDPOINT", "FEDCTL_SCOPES" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fedctl {string.Join(' ', args)} did not exit in 120 s");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>
    /// <c>fedctl login</c> to <paramref name="hub"/> as <paramref name="clientId"/> (secret on stdin) into profile
    /// <paramref name="profile"/> (the default profile when null), asking for <paramref name="scope"/> when given.
    /// </summary>
    public Task<Result> LoginAsync(Federation.Hub.Tests.Infrastructure.HubInstance hub, string clientId, string secret, string? profile = null, string? scope = null)
    {
        var args = new List<string>();
        if (profile is not null)
        {
            args.AddRange(["-p", profile]);
        }

        args.AddRange(["login", "--hub", hub.GrpcAddress, "--token-endpoint", new Uri(hub.Http.BaseAddress!, "connect/token").ToString(), "--client-id", clientId]);
        if (scope is not null)
        {
            args.AddRange(["--scope", scope]);
        }

        args.Add("--secret-stdin");
        return RunWithInputAsync(secret + "\n", [.. args]);
    }

    /// <summary>
    /// Logs in the hub's administrator (profile <c>admin</c>) and a new member (the default profile); fails the test when
    /// either login fails. Returns the member's id.
    /// </summary>
    public async Task<string> LoginAdminAndNewMemberAsync(Federation.Hub.Tests.Infrastructure.HubFixture fixture)
    {
        var admin = await LoginAdminAsync(fixture.Hub);
        Assert.True(admin.ExitCode == 0, admin.ToString());
        var (memberId, secret) = await fixture.CreateMemberAsync();
        var login = await LoginAsync(fixture.Hub, memberId, secret);
        Assert.True(login.ExitCode == 0, login.ToString());
        return memberId;
    }

    /// <summary>Writes a submission CSV of SHA-256 values (category csam) into the fedctl home; returns its path.</summary>
    public async Task<string> WriteSha256CsvAsync(string name, params string[] values)
    {
        var path = Path.Combine(Home, name);
        await File.WriteAllLinesAsync(path, ["type,value,categories", .. values.Select(v => $"sha256,{v},csam")]);
        return path;
    }

    /// <summary>Logs the hub's bootstrap administrator in as profile <c>admin</c> with scope <c>federation.admin</c>.</summary>
    public Task<Result> LoginAdminAsync(Federation.Hub.Tests.Infrastructure.HubInstance hub) =>
        LoginAsync(hub, Federation.Hub.Tests.Infrastructure.HubInstance.AdminId, Federation.Hub.Tests.Infrastructure.HubInstance.AdminSecret, "admin", "federation.admin");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
