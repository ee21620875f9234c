using System.Diagnostics;
using System.Globalization;
using System.Text;
using Federation.Hub.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// A hub replica in its own process (the built <c>Federation.Hub.dll</c> run by <c>dotnet</c>), so a test can kill it
/// with SIGKILL mid-call as a crash would, which an in-process <see cref="HubInstance"/> cannot show. Configured like
/// <see cref="HubInstance"/> (same issuer and bootstrap administrator); killed by its PID on dispose.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly GrpcChannel channel;

    private HubProcess(Process process, int httpPort, int grpcPort)
    {
        this.process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    /// <summary>HTTP/1.1 client for the token endpoint and health.</summary>
    public HttpClient Http { get; }

    /// <summary>What the process wrote to stdout and stderr (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the hub against <paramref name="redis"/> and waits until it is ready.</summary>
    /// <param name="redis">Federation:Redis.</param>
    /// <param name="dataPath">Federation:DataPath; share another replica's to share its signing key.</param>
    public static async Task<HubProcess> StartAsync(string redis, string dataPath)
    {
        var dll = FindHubAssembly();
        var httpPort = LocalRedisServer.FreeLoopbackPort();
        var grpcPort = LocalRedisServer.FreeLoopbackPort();
        var info = new ProcessStartInfo("dotnet")
        {
            // A working directory of its own below the temporary folder: test.sh finds an orphan (a crashed test host
            // never killed it) by that directory, as it finds orphaned redis-servers.
            WorkingDirectory = Directory.CreateTempSubdirectory("federation-test-hub-process-").FullName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[
            dll,
            $"--Federation:Redis={redis}",
            $"--Federation:DataPath={dataPath}",
            "--Federation:Issuer=http://federation.test/",
            $"--Federation:HttpPort={httpPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Federation:GrpcPort={grpcPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Federation:Bootstrap:AdminClientId={HubInstance.AdminId}",
            $"--Federation:Bootstrap:AdminClientSecret={HubInstance.AdminSecret}",
            "--Federation:Feed:HeartbeatInterval=00:00:01",
            "--Logging:LogLevel:Default=Warning"])
        {
            info.ArgumentList.Add(argument);
        }

        var hub = new HubProcess(Process.Start(info)!, httpPort, grpcPort);
        hub.process.OutputDataReceived += (_, e) => hub.Append(e.Data);
        hub.process.ErrorDataReceived += (_, e) => hub.Append(e.Data);
        hub.process.BeginOutputReadLine();
        hub.process.BeginErrorReadLine();
        await hub.WaitUntilReadyAsync();
        return hub;
    }

    /// <summary>Kills the process with SIGKILL (no shutdown, no goodbye to open calls).</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Gets a member's access token from this replica's token endpoint.</summary>
    public async Task<string> GetTokenAsync(string clientId, string secret)
    {
        using var response = await Http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>A call invoker that sends the bearer token.</summary>
    public CallInvoker Invoker(string token) =>
        channel.Intercept(metadata =>
        {
            metadata.Add("Authorization", "Bearer " + token);
            return metadata;
        });

    public async ValueTask DisposeAsync()
    {
        Kill();
        var workingDirectory = process.StartInfo.WorkingDirectory;
        process.Dispose();
        try
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        channel.Dispose();
        Http.Dispose();
        await Task.CompletedTask;
    }

    // The hub project's own build output (same configuration as this test build): it carries the hub's deps and runtimeconfig.
    private static string FindHubAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release"; // bin/<configuration>/net10.0/
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Federation.Hub", "bin", configuration, "net10.0", "Federation.Hub.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Federation.Hub.dll ({configuration}) not found above {AppContext.BaseDirectory}; build src/Federation.Hub first.");
    }

    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Assert.False(process.HasExited, $"the hub process exited with {(process.HasExited ? process.ExitCode : 0)}: {Output}");
            try
            {
                using var response = await Http.GetAsync("healthz/ready", timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the hub process was not ready within 60 s: {Output}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
