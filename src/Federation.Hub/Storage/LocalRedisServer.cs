using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Federation.Hub.Storage;

/// <summary>
/// A private <c>redis-server</c> child process on a free loopback port: the hub's store when no
/// Redis is configured, and the tests' store. Garnet (in-process) lacks Redis Streams, so a real
/// Redis it is. The process is stopped (SIGTERM, so the AOF is flushed) when this is disposed.
/// </summary>
public sealed class LocalRedisServer : IDisposable
{
    private readonly Process process;
    private readonly string pidFile;

    private LocalRedisServer(Process process, int port, string pidFile)
    {
        this.process = process;
        this.pidFile = pidFile;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The server's process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>StackExchange.Redis connection string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>
    /// Starts a server with its data in <paramref name="dataDirectory"/>. With
    /// <paramref name="persistent"/> the AOF is on (fsync every second), as DESIGN.md promises for
    /// a local hub; tests turn it off.
    /// </summary>
    /// <param name="dataDirectory">Where the server keeps its data.</param>
    /// <param name="persistent">AOF on (fsync every second).</param>
    /// <param name="port">A fixed port (one attempt), to restart a stopped server where its clients expect it; null picks a free one.</param>
    /// <exception cref="LocalRedisUnavailableException">redis-server is not installed or does not start.</exception>
    public static LocalRedisServer Start(string dataDirectory, bool persistent, int? port = null)
    {
        var executable = FindExecutable("redis-server")
            ?? throw new LocalRedisUnavailableException(
                "redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) " +
                "or point the hub at a running Redis with Federation__Redis=host:port.");
        Directory.CreateDirectory(dataDirectory);
        var pidFile = Path.Combine(dataDirectory, "redis-server.pid");
        StopOrphan(pidFile);

        // A free port can be taken between probing and binding; retry a few times.
        Exception? last = null;
        for (var attempt = 0; attempt < (port is null ? 5 : 1); attempt++)
        {
            var chosen = port ?? FreeLoopbackPort();
            var process = Launch(executable, dataDirectory, chosen, persistent);
            try
            {
                WaitUntilReady(process, chosen, TimeSpan.FromSeconds(15));
                File.WriteAllText(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new LocalRedisServer(process, chosen, pidFile);
            }
            catch (Exception e) when (e is IOException or TimeoutException or SocketException)
            {
                last = e;
                TryKill(process);
            }
        }

        throw new LocalRedisUnavailableException($"redis-server did not start: {last?.Message}");
    }

    /// <summary>
    /// Returns a TCP port that was free on the loopback interface a moment ago. It is drawn from
    /// below the kernel's ephemeral range: a port the kernel handed out for a listener (port 0)
    /// is also one it hands to outgoing connections, so between probing and binding a client
    /// socket (to Redis, to another hub) could take it, and a bind failed with "address in use".
    /// </summary>
    public static int FreeLoopbackPort()
    {
        var (low, high) = ListenerPortRange();
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var candidate = Random.Shared.Next(low, high);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, candidate);
                probe.Start();
                return candidate;
            }
            catch (SocketException)
            {
                // Taken: draw again.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Ports between 20000 and the start of the ephemeral range (Linux: ip_local_port_range, usually 32768).</summary>
    private static (int Low, int High) ListenerPortRange()
    {
        const int low = 20000;
        var high = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (range.Length > 0 && int.TryParse(range[0], System.Globalization.CultureInfo.InvariantCulture, out var ephemeralStart))
            {
                high = ephemeralStart;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux: keep the usual start of the ephemeral range.
        }

        return high - low >= 1000 ? (low, high) : (49152 - 8192, 49152);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            // SIGTERM makes Redis flush its AOF and exit cleanly; SIGKILL only if it hangs.
            _ = SendSignal(process.Id, SigTerm);
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                TryKill(process);
            }
        }

        process.Dispose();
        try
        {
            File.Delete(pidFile);
        }
        catch (IOException)
        {
        }
    }

    private static Process Launch(string executable, string dataDirectory, int port, bool persistent)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--protected-mode", "yes",
            "--dir", Path.GetFullPath(dataDirectory),
            "--daemonize", "no",
            "--save", "",
            "--appendonly", persistent ? "yes" : "no",
            "--appendfsync", "everysec",
            "--loglevel", "warning",
            "--logfile", "",
            "--pidfile", "",
            "--notify-keyspace-events", "",
            // Signal buckets hold ~25-100 records of 33-64-byte fields and packed record values; keep them listpacks up to
            // 512 fields and 128-byte elements (docs/signals.md gives the same settings for production Redis).
            "--hash-max-listpack-entries", "512",
            "--hash-max-listpack-value", "128",
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new LocalRedisUnavailableException("redis-server could not be started.");
        // Drain output so the child never blocks on a full pipe.
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitUntilReady(Process process, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var ping = Encoding.ASCII.GetBytes("PING\r\n");
        var buffer = new byte[64];
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new IOException($"redis-server exited with code {process.ExitCode} (port {port} taken?)");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                using var stream = client.GetStream();
                stream.Write(ping);
                var read = stream.Read(buffer);
                if (read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"redis-server on port {port} did not answer PING within {timeout.TotalSeconds:0}s");
    }

    /// <summary>Stops a server left behind by a hub that was killed before it could stop its child.</summary>
    private static void StopOrphan(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), out var pid))
        {
            return;
        }

        var cmdline = $"/proc/{pid}/cmdline";
        if (File.Exists(cmdline) && File.ReadAllText(cmdline).Contains("redis-server", StringComparison.Ordinal))
        {
            _ = SendSignal(pid, SigTerm);
            try
            {
                using var orphan = Process.GetProcessById(pid);
                orphan.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (ArgumentException)
            {
            }
        }
    }

    private static string? FindExecutable(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
        }
    }

    private const int SigTerm = 15;

    // DllImport rather than LibraryImport: the latter needs unsafe code for one int-only call.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
