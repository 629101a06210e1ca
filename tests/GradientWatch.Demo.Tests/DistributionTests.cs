using GradientWatch.Demo.Scenarios;
using GradientWatch.Demo.Training;
using GradientWatch.Statistics;

namespace GradientWatch.Demo.Tests;

/// <summary>What the report's distribution plots show in the vanishing scenario, checked on the histograms themselves.</summary>
[Collection(DemoCollection.Name)]
public sealed class DistributionTests
{
    [Fact]
    public void VanishingPutsTheEarlyLayersMassBelowFloat16AndTheLastLayersMassSlidesDown()
    {
        var spec = new VanishingScenario().CreateRuns(new ScenarioParameters())[0];
        var run = new MlNetTrainer().Train(spec, NullTrainingObserver.Instance, null, Metrics.MetricsServers.Off());
        var measured = run.Snapshots.Where(s => s.Layers.All(l => l.Histogram is { TotalCount: > 0 })).ToList();
        Assert.True(measured.Count >= 8, $"{measured.Count} full-statistics steps with histograms");
        int first = 0, middle = (run.LayerNames.Count - 1) / 2, last = run.LayerNames.Count - 1;
        double Median(StepSnapshot s, int layer) => s.Layers[layer].Histogram!.Quantile(0.5);
        double float16MinNormal = Math.ScaleB(1, GradientHistogram.Float16MinNormalExponent);
        foreach (var s in measured)
        {
            // The first and middle layers' typical gradient is below float16's normal range on every step, and many binary
            // orders of magnitude (at least 16) under the last layer's.
            Assert.True(Median(s, first) < float16MinNormal, $"step {s.Step}: first layer median {Median(s, first):E2}");
            Assert.True(Median(s, middle) < float16MinNormal, $"step {s.Step}: middle layer median {Median(s, middle):E2}");
            Assert.True(Median(s, last) > Math.ScaleB(Median(s, first), 16), $"step {s.Step}: last {Median(s, last):E2} vs first {Median(s, first):E2}");
        }

        // The last layer's mass slides down as it trains: over the last quarter of the run its median is well under the first quarter's.
        int quarter = measured.Count / 4;
        double early = Stat(measured.Take(quarter).Select(s => Median(s, last)));
        double late = Stat(measured.Skip(measured.Count - quarter).Select(s => Median(s, last)));
        Assert.True(late < early / 2, $"last layer's median |g|: first quarter {early:E2}, last quarter {late:E2}");
    }

    private static double Stat(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }
}
