using System.Diagnostics;

namespace Federation.Bench;

/// <summary>
/// The warm-up rule of the latency benchmarks (docs/decisions.md, "Benchmarks measure after the JIT has settled"):
/// uncounted slices until one compiled less than <see cref="SettledJitMs"/> in this process and in the client process,
/// after at least a minimum and at most <see cref="MaxWarmUp"/>.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>JIT time of one 1 s slice under which the slice counts as settled: 1 % of a core.</summary>
    public const double SettledJitMs = 10;

    /// <summary>The longest warm-up: a path that never settles is measured anyway, and says so.</summary>
    public static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(30);

    /// <summary>How a warm-up ended: its length, the JIT time of its last slice here and in the clients, and whether it settled.</summary>
    public sealed record Outcome(double Seconds, double HereJitMs, double ClientJitMs, bool Settled)
    {
        public override string ToString() =>
            $"warm-up {Seconds:F0} s, JIT in its last second {HereJitMs:F0} ms here / {ClientJitMs:F0} ms in the clients{(Settled ? "" : $" (not settled within {MaxWarmUp.TotalSeconds:F0} s)")}";
    }

    /// <summary>Runs <paramref name="slice"/> (one second of load, returning the JIT time it cost here and in the clients) until settled.</summary>
    public static async Task<Outcome> RunAsync(Func<Task<(double HereJitMs, double ClientJitMs)>> slice, TimeSpan minimum)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (here, clients) = await slice();
            var settled = here < SettledJitMs && clients < SettledJitMs;
            if ((settled && clock.Elapsed >= minimum) || clock.Elapsed >= MaxWarmUp)
            {
                return new Outcome(clock.Elapsed.TotalSeconds, here, clients, settled);
            }
        }
    }
}
