using GradientWatch.Demo.Scenarios;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Tests;

/// <summary>The plain TorchSharp loop trains the same specs as the ML.NET pipeline, with the same watch configuration.</summary>
[Collection(DemoCollection.Name)]
public sealed class PlainLoopTrainerTests
{
    [Fact]
    public void TheExplodingSpecIsClippedAndStaysFiniteInAPlainLoop()
    {
        var spec = new ExplodingScenario().CreateRuns(new ScenarioParameters { Epochs = 10 })[0];
        var run = new PlainLoopTrainer().Train(spec, NullTrainingObserver.Instance, null, Metrics.MetricsServers.Off());
        Assert.Equal(80, run.Snapshots.Count);
        Assert.Equal(10, run.EpochLosses.Count);
        Assert.Contains(run.Events, e => e.Remedy == "clip_global_norm");
        Assert.All(run.StepLosses, l => Assert.True(double.IsFinite(l)));
        Assert.Equal("exploding", run.Summary!.RunId);
    }
}
