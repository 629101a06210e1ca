using GradientWatch.Benchmarks;
using GradientWatch.Benchmarks.Models;
using GradientWatch.Capture;
using GradientWatch.Statistics;
using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Benchmarks;

/// <summary>
/// The soak measures the process-wide managed heap, so it runs alone: other tests allocating in parallel would
/// make its growth figure meaningless.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class SoakPathTests
{
    [Fact]
    public void SoakSkipsPoisonedStepsAndKeepsTheHeapFlat()
    {
        var result = SoakBenchmark.Run(steps: 1000, warmupSteps: 0, points: 2);
        Assert.Equal(1000, result.Steps);
        Assert.Equal(2, result.SkippedSteps); // steps 499 and 999 carry a NaN
        Assert.True(result.Events >= 2);
        Assert.Equal(3, result.Points.Count);
        Assert.InRange(result.ManagedGrowthMiB, -64, 2);
    }
}
