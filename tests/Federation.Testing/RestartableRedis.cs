using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Federation.Hub.Storage;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// A redis-server this test owns and can stop (SIGTERM), kill (SIGKILL) and start again on the same port and data
/// folder, with AOF persistence as production runs it (<c>appendfsync everysec</c>). Every process is signalled by
/// the PID this class started, never by name; dispose stops whatever still runs and deletes the folder.
/// </summary>
public sealed class RestartableRedis : IDisposable
{
    private Process? process;

    public RestartableRedis()
    {
        Port = LocalRedisServer.FreeLoopbackPort();
        Directory = System.IO.Directory.CreateTempSubdirectory("federation-test-restartable-").FullName;
    }

    /// <summary>The loopback port, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The data folder (AOF, RDB), the same across restarts.</summary>
    public string Directory { get; }

    /// <summary>The running server's process id.</summary>
    public int? ProcessId => process is { HasExited: false } ? process.Id : null;

    /// <summary>
    /// The hub's connection string: the client library's defaults (5 s timeouts), so a test shows that the hub,
    /// not a short test timeout, makes calls fail fast.
    /// </summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>A connection string for the test's own inspection (admin commands allowed).</summary>
    public string AdminConnectionString => ConnectionString + ",allowAdmin=true";

    /// <summary>
    /// Starts the server and waits until it answers PING (with <paramref name="waitUntilLoaded"/> false, until it
    /// answers at all: LOADING counts). <paramref name="extraArguments"/> are appended to the command line.
    /// </summary>
    public async Task StartAsync(bool waitUntilLoaded = true, params string[] extraArguments)
    {
        if (ProcessId is not null)
        {
            throw new InvalidOperationException("The server is already running.");
        }

        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
            "--daemonize", "no", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--loglevel", "warning",
            .. extraArguments])
        {
            info.ArgumentList.Add(argument);
        }

        process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var reply = await PingAsync();
            if (reply.StartsWith("+PONG", StringComparison.Ordinal) || (!waitUntilLoaded && reply.StartsWith("-LOADING", StringComparison.Ordinal)))
            {
                return;
            }

            Assert.False(process.HasExited, $"redis-server exited with code {(process.HasExited ? process.ExitCode : 0)}");
            Assert.False(timeout.IsCancellationRequested, $"redis-server on port {Port} did not answer within 30 s (last reply '{reply.Trim()}')");
            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Sends PING on a fresh connection; returns the first reply line, or "" when nothing answers.</summary>
    public async Task<string> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, connectTimeout.Token);
            await using var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"), connectTimeout.Token);
            var buffer = new byte[128];
            var read = await stream.ReadAsync(buffer, connectTimeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    /// <summary>Stops the server as an operator would (SIGTERM: Redis flushes its AOF and exits).</summary>
    public void Stop() => Signal(SigTerm);

    /// <summary>Kills the server (SIGKILL: no flush, no goodbye), as a crash or the OOM killer would.</summary>
    public void Kill() => Signal(SigKill);

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Signal(int signal)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, signal);
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                process.WaitForExit();
            }
        }

        process.Dispose();
        process = null;
    }

    private const int SigTerm = 15;
    private const int SigKill = 9;

#pragma warning disable SYSLIB1054 // one int-only call; LibraryImport would need unsafe code
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
