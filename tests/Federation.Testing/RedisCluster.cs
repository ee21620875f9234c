using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Federation.Hub.Storage;
using StackExchange.Redis;

namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster this test owns: <c>masters</c> redis-server processes with <c>--cluster-enabled yes</c> (and
/// <c>replicasPerMaster</c> replicas each) on free loopback ports, joined by <c>redis-cli --cluster create</c>, ready once
/// every node reports <c>cluster_state:ok</c> with all 16,384 slots assigned and every replica's link to its master is up.
/// Every process is started and signalled by its PID; dispose stops them all and deletes their folders.
/// </summary>
/// <remarks>
/// The cluster bus port is chosen free too (<c>--cluster-port</c>) instead of Redis's default port + 10000, which would
/// overflow or collide for a high ephemeral port. <c>cluster-node-timeout</c> is short so that a killed master's replica
/// is promoted within a few seconds (production keeps the 15 s default or sets its own).
/// </remarks>
public sealed class RedisCluster : IDisposable
{
    /// <summary>How long a node may be unreachable before the cluster fails it over.</summary>
    public const int NodeTimeoutMilliseconds = 1000;

    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private readonly List<Node> nodes = [];
    private readonly string root;

    private RedisCluster(string root) => this.root = root;

    /// <summary>Every node started, masters first (the order given to <c>redis-cli --cluster create</c>).</summary>
    public IReadOnlyList<Node> Nodes => nodes;

    /// <summary>The hub's connection string: every node (the client discovers the topology and follows failovers).</summary>
    public string ConnectionString => string.Join(",", nodes.Select(n => $"127.0.0.1:{n.Port}")) + ",abortConnect=false";

    /// <summary>A connection string for the test's own inspection (admin commands allowed).</summary>
    public string AdminConnectionString => ConnectionString + ",allowAdmin=true";

    /// <summary>Starts the nodes, creates the cluster and waits (bounded) until it serves every slot.</summary>
    public static async Task<RedisCluster> StartAsync(int masters = 3, int replicasPerMaster = 0)
    {
        var cluster = new RedisCluster(Directory.CreateTempSubdirectory("federation-test-cluster-").FullName);
        try
        {
            for (var i = 0; i < masters * (1 + replicasPerMaster); i++)
            {
                cluster.nodes.Add(Node.Start(Path.Combine(cluster.root, $"node-{i}")));
            }

            foreach (var node in cluster.nodes)
            {
                await node.WaitUntilAnsweringAsync(StartBound);
            }

            await cluster.CreateAsync(replicasPerMaster);
            await cluster.WaitUntilHealthyAsync(StartBound);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits (bounded) until every running node reports <c>cluster_state:ok</c> with all slots assigned and every
    /// running replica's link to its master is up: after creation, and after a failover.
    /// </summary>
    public async Task WaitUntilHealthyAsync(TimeSpan bound)
    {
        string last = "";
        await Eventually.UntilAsync(async () =>
        {
            foreach (var node in nodes.Where(n => n.IsRunning))
            {
                var info = await node.CommandAsync("CLUSTER", "INFO");
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_assigned:16384", StringComparison.Ordinal))
                {
                    last = $"node {node.Port}: {info.Replace("\r\n", " ", StringComparison.Ordinal)}";
                    return false;
                }

                var replication = await node.CommandAsync("INFO", "replication");
                if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
                {
                    last = $"replica {node.Port} not yet linked to its master";
                    return false;
                }
            }

            return true;
        }, bound, "the cluster to serve every slot", () => $"(last: {last})", TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The node that is master of <paramref name="key"/>'s slot now (asked of the cluster itself).</summary>
    public async Task<Node> MasterOfAsync(RedisKey key)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(AdminConnectionString);
        var endpoint = (IPEndPoint)(await admin.GetDatabase().IdentifyEndpointAsync(key))!;
        return nodes.Single(n => n.Port == endpoint.Port);
    }

    public void Dispose()
    {
        foreach (var node in nodes)
        {
            node.Kill();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task CreateAsync(int replicasPerMaster)
    {
        var info = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--cluster");
        info.ArgumentList.Add("create");
        foreach (var node in nodes)
        {
            info.ArgumentList.Add($"127.0.0.1:{node.Port}");
        }

        info.ArgumentList.Add("--cluster-replicas");
        info.ArgumentList.Add(replicasPerMaster.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--cluster-yes");
        Process create;
        try
        {
            create = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-cli is not installed (Debian: apt-get install redis-tools; scripts/ensure-redis.sh installs it).", e);
        }

        using (create)
        {
            var output = create.StandardOutput.ReadToEndAsync();
            var error = create.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(StartBound);
            try
            {
                await create.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                create.Kill();
                throw new TimeoutException($"redis-cli --cluster create did not finish within {StartBound.TotalSeconds:0} s");
            }

            if (create.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed ({create.ExitCode}): {await output} {await error}");
            }
        }
    }

    /// <summary>One redis-server of the cluster, started and signalled by its PID.</summary>
    public sealed class Node
    {
        private readonly int busPort;
        private Process process;

        private Node(Process process, int port, int busPort, string directory)
        {
            this.process = process;
            this.busPort = busPort;
            Port = port;
            Directory = directory;
        }

        /// <summary>The client port on loopback.</summary>
        public int Port { get; }

        /// <summary>The node's data folder (its nodes.conf).</summary>
        public string Directory { get; }

        /// <summary>The process id.</summary>
        public int ProcessId => process.Id;

        /// <summary>True until the process exits.</summary>
        public bool IsRunning => !process.HasExited;

        internal static Node Start(string directory)
        {
            System.IO.Directory.CreateDirectory(directory);
            var port = LocalRedisServer.FreeLoopbackPort();
            var busPort = LocalRedisServer.FreeLoopbackPort();
            return new Node(Launch(directory, port, busPort), port, busPort, directory);
        }

        /// <summary>
        /// Starts the killed node again on its ports with its nodes.conf (as a supervisor restarts a crashed one), and waits
        /// (bounded) until it answers; the cluster makes a master that was failed over a replica of its successor.
        /// </summary>
        public async Task RestartAsync()
        {
            Assert.False(IsRunning, $"redis-server on port {Port} is still running");
            process.Dispose();
            process = Launch(Directory, Port, busPort);
            await WaitUntilAnsweringAsync(StartBound);
        }

        private static Process Launch(string directory, int port, int busPort)
        {
            var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(directory, "nodes.conf"),
                "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture),
                "--cluster-node-timeout", NodeTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture),
                "--daemonize", "no", "--save", "", "--appendonly", "no", "--loglevel", "warning", "--logfile", "", "--pidfile", "",
                // A replica's full sync starts at once instead of after Redis's default 5 s wait for more replicas to join it
                // (at creation, and when a failed-over master restarts as its successor's replica).
                "--repl-diskless-sync-delay", "0",
                // As LocalRedisServer: signal buckets stay listpacks (docs/signals.md).
                "--hash-max-listpack-entries", "512", "--hash-max-listpack-value", "128"])
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        /// <summary>
        /// Sends one command on a fresh connection (plain RESP, no cluster redirection) and returns a simple or bulk
        /// reply as text, an error reply with its "-", and "" when the node does not answer.
        /// </summary>
        public async Task<string> CommandAsync(params string[] command)
        {
            try
            {
                using var client = new TcpClient();
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, Port, bound.Token);
                await using var stream = client.GetStream();
                var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
                foreach (var part in command)
                {
                    request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), bound.Token);
                var reply = new MemoryStream();
                var buffer = new byte[8192];
                while (!IsComplete(reply.GetBuffer().AsSpan(0, (int)reply.Length)))
                {
                    var read = await stream.ReadAsync(buffer, bound.Token);
                    if (read == 0)
                    {
                        return "";
                    }

                    reply.Write(buffer, 0, read);
                }

                var text = Encoding.UTF8.GetString(reply.GetBuffer(), 0, (int)reply.Length);
                var firstLine = text.IndexOf("\r\n", StringComparison.Ordinal);
                return text[0] == '$' ? text[(firstLine + 2)..^2] : text[(text[0] == '-' ? 0 : 1)..firstLine];
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                return "";
            }
        }

        // A simple/error/integer reply ends with its first CRLF; a bulk reply "$n\r\n<n bytes>\r\n" after n + 2 more bytes.
        private static bool IsComplete(ReadOnlySpan<byte> reply)
        {
            var firstLine = reply.IndexOf("\r\n"u8);
            if (firstLine < 0)
            {
                return false;
            }

            if (reply[0] != (byte)'$')
            {
                return true;
            }

            var length = int.Parse(Encoding.ASCII.GetString(reply[1..firstLine]), CultureInfo.InvariantCulture);
            return length < 0 || reply.Length >= firstLine + 2 + length + 2;
        }

        /// <summary>Kills the process (SIGKILL: no flush, no goodbye to the cluster), as a crash would.</summary>
        public void Kill()
        {
            if (!process.HasExited)
            {
                _ = SendSignal(process.Id, SigKill);
                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
        }

        internal async Task WaitUntilAnsweringAsync(TimeSpan bound) =>
            await Eventually.UntilAsync(
                async () =>
                {
                    Assert.False(process.HasExited, $"redis-server on port {Port} exited with code {(process.HasExited ? process.ExitCode : 0)}");
                    return (await CommandAsync("PING")) == "PONG";
                },
                bound, $"redis-server on port {Port} to answer PING", poll: TimeSpan.FromMilliseconds(50));

        private const int SigKill = 9;

#pragma warning disable SYSLIB1054 // one int-only call; LibraryImport would need unsafe code
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int SendSignal(int pid, int signal);
#pragma warning restore SYSLIB1054
    }
}
