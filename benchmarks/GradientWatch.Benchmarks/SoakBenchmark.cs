using System.Diagnostics;
using GradientWatch.Benchmarks.Models;
using TorchSharp;

namespace GradientWatch.Benchmarks;

/// <summary>Managed heap and resident set size at one point of the soak.</summary>
internal sealed record MemoryPoint(long Step, double ManagedMiB, double RssMiB);

/// <summary>Result of the long soak run.</summary>
internal sealed record SoakResult(
    string Model,
    long Steps,
    double Seconds,
    double MeanStepMs,
    long SkippedSteps,
    long Events,
    MemoryPoint Start,
    MemoryPoint End,
    IReadOnlyList<MemoryPoint> Points)
{
    public double ManagedGrowthMiB => End.ManagedMiB - Start.ManagedMiB;

    public double RssGrowthMiB => End.RssMiB - Start.RssMiB;
}

/// <summary>
/// Trains a small model for many steps with everything on: full statistics every step, the update ratio,
/// every detector, global-norm clipping, skip-step and learning-rate reduction, an event callback and a
/// step callback. Every 500th step gets a NaN gradient so that detection, skip-step and events really run.
/// Memory is read after a warm-up and then at regular points; both should stay flat. The event history (bounded by
/// <see cref="GradientWatchOptions.EventHistoryCapacity"/>, 1000 by default) is set to 16 so that it is full before
/// the first reading: the warm-up's poisoned steps fill it, and what stays is the bound, not growth. The warm-up (3,000 steps) also
/// covers JIT tier-up and the native allocator settling, after which RSS is flat (checked over 40,000 steps).
/// </summary>
internal static class SoakBenchmark
{
    public static SoakResult Run(int steps, int warmupSteps = 3000, int points = 10)
    {
        using var workload = Workload.Small();
        long events = 0, callbacks = 0;
        using var watch = workload.Module.WatchGradients(workload.Optimizer, w => w
            .Configure(o => { o.ModelName = "soak"; o.FullStatisticsInterval = 1; o.MeasureStepSize = true; o.EventHistoryCapacity = 16; })
            .ClipGlobalNorm(1.0)
            .SkipNonFiniteSteps()
            .ReduceLearningRate()
            .OnEvent(_ => events++)
            .OnStep(_ => callbacks++));
        var poisoned = workload.Parameters[0];

        void Step(long i)
        {
            double loss = workload.ForwardBackward();
            if (i % 500 == 499)
            {
                using var g = poisoned.grad!;
                using var nan = torch.tensor(float.NaN);
                using (torch.no_grad())
                {
                    g[0, 0] = nan;
                }
            }

            watch.Step(loss);
        }

        for (long i = 0; i < warmupSteps; i++)
        {
            Step(i);
        }

        var start = Sample(0);
        var list = new List<MemoryPoint> { start };
        int every = Math.Max(1, steps / points);
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < steps; i++)
        {
            Step(warmupSteps + i);
            if ((i + 1) % every == 0 && i + 1 < steps)
            {
                clock.Stop();
                list.Add(Sample(i + 1));
                clock.Start();
            }
        }

        clock.Stop();
        var end = Sample(steps);
        list.Add(end);
        return new SoakResult(
            workload.Description + ", full statistics and step size every step, all detectors, clip + skip-step + reduce-lr, event history 16, NaN every 500 steps",
            steps,
            clock.Elapsed.TotalSeconds,
            clock.Elapsed.TotalMilliseconds / steps,
            watch.GetSummary().SkippedSteps,
            events,
            start,
            end,
            list);
    }

    private static MemoryPoint Sample(long step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        double managed = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;
        return new MemoryPoint(step, managed, MachineInfo.ResidentSetBytes() / 1048576.0);
    }
}
