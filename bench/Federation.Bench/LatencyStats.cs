namespace Federation.Bench;

/// <summary>Percentiles of a set of latencies in milliseconds (nearest rank).</summary>
internal readonly record struct LatencyStats(int Count, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencyStats From(List<double> samples)
    {
        if (samples.Count == 0)
        {
            return new LatencyStats(0, double.NaN, double.NaN, double.NaN);
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return new LatencyStats(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
