using System.Runtime.CompilerServices;
using GradientWatch.Statistics;
using static TorchSharp.torch;

namespace GradientWatch;

/// <summary>
/// Process-wide bookkeeping that catches silent misuse: two live watchers on one optimizer, two live watchers with
/// one RunId (their metric series would merge, last writer wins), and an optimizer stepped twice on the same
/// gradients (<c>Step</c> called twice after one <c>backward()</c>, by one watcher or by two).
/// </summary>
internal static class WatcherRegistry
{
    private static readonly object Gate = new();
    private static readonly ConditionalWeakTable<optim.Optimizer, OptimizerUse> Optimizers = new();
    private static readonly Dictionary<string, int> RunIds = new(StringComparer.Ordinal);

    /// <summary>Registers a new watcher; returns what it shares with live watchers (for a warning).</summary>
    public static (int WatchersOnOptimizer, int WatchersWithRunId) Register(optim.Optimizer optimizer, string runId)
    {
        lock (Gate)
        {
            var use = Optimizers.GetValue(optimizer, _ => new OptimizerUse());
            use.LiveWatchers++;
            RunIds[runId] = RunIds.GetValueOrDefault(runId) + 1;
            return (use.LiveWatchers - 1, RunIds[runId] - 1);
        }
    }

    public static void Unregister(optim.Optimizer optimizer, string runId)
    {
        lock (Gate)
        {
            if (Optimizers.TryGetValue(optimizer, out var use))
            {
                use.LiveWatchers--;
            }

            if (RunIds.TryGetValue(runId, out int n))
            {
                if (n <= 1)
                {
                    RunIds.Remove(runId);
                }
                else
                {
                    RunIds[runId] = n - 1;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="fingerprint"/> equals the gradients the optimizer was last stepped with.</summary>
    public static bool MatchesLastStep(optim.Optimizer optimizer, double[]? fingerprint)
    {
        lock (Gate)
        {
            return fingerprint is not null && Optimizers.TryGetValue(optimizer, out var use) && use.LastStepGradients is { } last && last.AsSpan().SequenceEqual(fingerprint);
        }
    }

    /// <summary>Records the gradients the optimizer was stepped with; null when unknown (a remedy changed them, or the step was skipped and they were cleared).</summary>
    public static void RecordStep(optim.Optimizer optimizer, double[]? fingerprint)
    {
        lock (Gate)
        {
            Optimizers.GetValue(optimizer, _ => new OptimizerUse()).LastStepGradients = fingerprint;
        }
    }

    /// <summary>
    /// Per parameter: whether it had a gradient, max |g| (exact) and Σg² rounded to float32 (the norm-only and the
    /// full pass may differ in the last bits); null when every gradient is absent or zero.
    /// </summary>
    public static double[]? Fingerprint(ReadOnlySpan<GradientMoments> measured, Func<int, bool> hasGradient)
    {
        var result = new double[measured.Length * 2];
        bool anyNonZero = false;
        for (int i = 0; i < measured.Length; i++)
        {
            bool has = hasGradient(i);
            result[2 * i] = has ? (float)measured[i].SumOfSquares : -1;
            result[(2 * i) + 1] = has ? measured[i].MaxAbs : -1;
            anyNonZero |= has && measured[i].SumOfSquares != 0;
        }

        return anyNonZero ? result : null;
    }

    private sealed class OptimizerUse
    {
        public int LiveWatchers;

        public double[]? LastStepGradients;
    }
}
