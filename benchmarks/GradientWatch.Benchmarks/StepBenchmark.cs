using GradientWatch.Benchmarks.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace GradientWatch.Benchmarks;

/// <summary>
/// Result of timing whole training steps of one model under each variant. <c>OverheadMs</c> is the watcher's own
/// time inside <c>Step</c> (everything but <c>optimizer.step()</c>), averaged over each sample's steps, median over samples.
/// </summary>
internal sealed record StepResult(
    string Model,
    string Description,
    long Parameters,
    int Tensors,
    int Rounds,
    int StepsPerSample,
    IReadOnlyDictionary<string, double> MedianStepMs,
    IReadOnlyDictionary<string, double> RatioToBare,
    IReadOnlyDictionary<string, double> OverheadMs,
    double ClipActiveFraction,
    double BareSpreadPercent);

/// <summary>
/// Times whole training steps (zero_grad, forward, backward, loss read, optimizer step) of one model under
/// four variants that share the model and its Adam optimizer, interleaved round by round.
/// </summary>
internal static class StepBenchmark
{
    public const string Bare = "bare";
    public const string Defaults = "defaults";
    public const string Full = "full";
    public const string FullClipSkip = "full+clip+skip";
    public const string FullNoHistogram = "full, no histogram";

    public static readonly string[] Variants = { Bare, Defaults, Full, FullClipSkip, FullNoHistogram };

    /// <summary>Interquartile range of the samples as a percentage of their median: how noisy the machine was.</summary>
    private static double Spread(IReadOnlyList<double> samples)
    {
        var sorted = samples.OrderBy(v => v).ToArray();
        if (sorted.Length < 4)
        {
            return double.NaN;
        }

        double q1 = sorted[sorted.Length / 4];
        double q3 = sorted[(3 * sorted.Length) / 4];
        return 100 * (q3 - q1) / Stats.Median(sorted);
    }

    public static StepResult Run(Workload workload, int warmupSteps, int rounds, int stepsPerSample)
    {
        // The clip limit is a tenth of the initial global norm, so clipping acts (scales every gradient) on most steps.
        workload.ForwardBackward();
        double initialNorm = Math.Sqrt(workload.Parameters.Sum(p => { using var g = p.grad!; return g.square().sum().item<float>(); }));
        double clipTo = 0.1 * initialNorm;

        // Four watchers share one optimizer on purpose: each step is taken by exactly one of them, after its own backward
        // pass. The misuse warning about a second watcher on the same optimizer does not apply, so it goes to a null logger.
        var quiet = NullLoggerFactory.Instance;
        using var defaults = workload.Module.WatchGradients(workload.Optimizer, w => w.UseLoggerFactory(quiet).Configure(o => o.ModelName = workload.Name + "-defaults"));
        using var full = workload.Module.WatchGradients(workload.Optimizer, w => w.UseLoggerFactory(quiet).Configure(o => { o.ModelName = workload.Name + "-full"; o.FullStatisticsInterval = 1; }));
        using var noHistogram = workload.Module.WatchGradients(workload.Optimizer, w => w.UseLoggerFactory(quiet).Configure(o => { o.ModelName = workload.Name + "-full-nohist"; o.FullStatisticsInterval = 1; o.MeasureGradientHistograms = false; }));
        using var remedies = workload.Module.WatchGradients(workload.Optimizer, w => w
            .UseLoggerFactory(quiet)
            .Configure(o => { o.ModelName = workload.Name + "-remedies"; o.FullStatisticsInterval = 1; })
            .ClipGlobalNorm(clipTo)
            .SkipNonFiniteSteps());

        var overhead = Variants.Skip(1).ToDictionary(v => v, _ => new List<double>());
        long clipped = 0, remedySteps = 0;
        void Watched(string key, GradientWatcher watcher)
        {
            double loss = workload.ForwardBackward();
            var s = watcher.Step(loss);
            overhead[key].Add(s.Overhead.TotalMilliseconds);
            if (ReferenceEquals(watcher, remedies))
            {
                remedySteps++;
                clipped += s.GlobalGradientNormAfterRemedies < s.GlobalGradientNorm ? 1 : 0;
            }
        }

        var timed = new[]
        {
            new Timed(Bare, () => { workload.ForwardBackward(); workload.Optimizer.step(); }),
            new Timed(Defaults, () => Watched(Defaults, defaults)),
            new Timed(Full, () => Watched(Full, full)),
            new Timed(FullClipSkip, () => Watched(FullClipSkip, remedies)),
            new Timed(FullNoHistogram, () => Watched(FullNoHistogram, noHistogram)),
        };

        Interleaved.Run(timed, warmupSteps, rounds: 0, stepsPerSample);
        foreach (var list in overhead.Values)
        {
            list.Clear();
        }

        clipped = remedySteps = 0;
        GC.Collect();
        var samples = Interleaved.Run(timed, warmupCalls: 0, rounds, stepsPerSample);
        return new StepResult(
            workload.Name,
            workload.Description,
            workload.ParameterCount,
            workload.TensorCount,
            rounds,
            stepsPerSample,
            Variants.ToDictionary(v => v, samples.Median),
            Variants.ToDictionary(v => v, v => samples.PairedRatio(v, Bare)),
            overhead.ToDictionary(kv => kv.Key, kv => Stats.Median(kv.Value.Chunk(stepsPerSample).Select(c => c.Average()).ToList())),
            remedySteps == 0 ? 0 : (double)clipped / remedySteps,
            Spread(samples[Bare]));
    }
}
