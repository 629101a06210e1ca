using System.Diagnostics;

namespace GradientWatch.Benchmarks;

/// <summary>One thing to time: a name and the body of one call.</summary>
internal sealed record Timed(string Key, Action Body)
{
    /// <summary>How many calls of the measured operation one invocation of <see cref="Body"/> makes.</summary>
    public int Calls { get; init; } = 1;
}

/// <summary>Per-variant samples in milliseconds per call, one sample per round.</summary>
internal sealed class Samples
{
    private readonly Dictionary<string, List<double>> byKey = new(StringComparer.Ordinal);

    public IReadOnlyList<double> this[string key] => byKey[key];

    public IEnumerable<string> Keys => byKey.Keys;

    public void Add(string key, double ms)
    {
        if (!byKey.TryGetValue(key, out var list))
        {
            byKey[key] = list = new List<double>();
        }

        list.Add(ms);
    }

    public double Median(string key) => Stats.Median(byKey[key]);

    /// <summary>Median over rounds of the per-round ratio <paramref name="key"/> / <paramref name="baseline"/>: drift within a round cancels.</summary>
    public double PairedRatio(string key, string baseline)
    {
        var a = byKey[key];
        var b = byKey[baseline];
        return Stats.Median(a.Zip(b, (x, y) => x / y).ToList());
    }
}

/// <summary>
/// Runs variants in interleaved rounds, alternating the order (A B C, C B A, A B C, ...) so that drift and
/// cache effects hit every variant equally. Each round takes one sample per variant: the mean time of
/// <c>callsPerSample</c> consecutive calls.
/// </summary>
internal static class Interleaved
{
    public static Samples Run(IReadOnlyList<Timed> variants, int warmupCalls, int rounds, int callsPerSample, Action<int>? afterRound = null)
    {
        foreach (var v in variants)
        {
            for (int i = 0; i < warmupCalls; i++)
            {
                v.Body();
            }
        }

        var samples = new Samples();
        for (int r = 0; r < rounds; r++)
        {
            for (int j = 0; j < variants.Count; j++)
            {
                var v = variants[r % 2 == 0 ? j : variants.Count - 1 - j];
                long start = Stopwatch.GetTimestamp();
                for (int c = 0; c < callsPerSample; c++)
                {
                    v.Body();
                }

                samples.Add(v.Key, Stopwatch.GetElapsedTime(start).TotalMilliseconds / callsPerSample);
            }

            afterRound?.Invoke(r);
        }

        return samples;
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
