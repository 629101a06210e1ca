using GradientWatch.Demo.Live;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Scenarios;
using GradientWatch.Demo.Training;

namespace GradientWatch.Demo.Tests;

public sealed class UnitTests
{
    [Theory]
    [InlineData(1e-8, 0)]
    [InlineData(1e-3, 20)]
    [InlineData(1e2, 40)]
    [InlineData(1e9, 40)]
    [InlineData(0.0, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(double.PositiveInfinity, 40)]
    public void LogBarScalesByPowersOfTen(double value, int cells) => Assert.Equal(cells, LogBar.Cells(value, 40));

    [Fact]
    public void StepsRoundUpToWholeEpochs()
    {
        Assert.Equal(3, new ScenarioParameters { Steps = 17 }.ResolveEpochs(30));
        Assert.Equal(5, new ScenarioParameters { Epochs = 5 }.ResolveEpochs(30));
        Assert.Equal(30, new ScenarioParameters().ResolveEpochs(30));
    }

    [Fact]
    public void ABusyDefaultPortFallsBackWithAWarning()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var choice = MetricsPortChoice.Choose(port, explicitlyRequested: false);
        Assert.NotEqual(port, choice.Port);
        Assert.Contains("in use", choice.Warning);
        Assert.Throws<DemoException>(() => MetricsPortChoice.Choose(port, explicitlyRequested: true));
    }

    [Fact]
    public void EveryScenarioIsSelectableByName()
    {
        Assert.Equal(new[] { "healthy", "exploding", "vanishing", "nan", "compare", "watch", "all" }, ScenarioCatalog.Names);
        Assert.Equal(5, ScenarioCatalog.Select("all").Count);
        Assert.DoesNotContain(ScenarioCatalog.Select("all"), s => s.Name == "watch"); // minutes long by design: only by name
        Assert.Equal(2, ScenarioCatalog.Select("watch")[0].DefaultStepsPerSecond);
        Assert.Equal(2, ScenarioCatalog.Select("compare")[0].CreateRuns(new ScenarioParameters { Epochs = 1 }).Count);
    }

    [Fact]
    public void TheWatchScenarioTrainsForThreeMinutesWithASurgeThenTwoNanStepsAfterIt()
    {
        var watch = ScenarioCatalog.Select("watch")[0];
        var spec = Assert.Single(watch.CreateRuns(new ScenarioParameters()));
        Assert.Equal(180, spec.TotalSteps / watch.DefaultStepsPerSecond);
        var (from, to, nan) = WatchScenario.Phases(spec.TotalSteps);
        Assert.True(from > 10 && to > from, $"surge {from}..{to}");
        Assert.Equal(2, nan.Length);
        Assert.All(nan, s => Assert.InRange(s, to + 1, spec.TotalSteps));
    }

    [Fact]
    public void PacingKeepsTheStepRateAndCancellationEndsTheWaiting()
    {
        var spec = ScenarioCatalog.Select("healthy")[0].CreateRuns(new ScenarioParameters { Epochs = 1 })[0];
        var snapshot = new StepSnapshot { Step = 1, Timestamp = DateTimeOffset.UnixEpoch, GlobalGradientNorm = 1, HasNonFinite = false, LearningRates = [0.1], IsFullStatistics = false, Layers = [] };
        var paced = new PacedObserver(NullTrainingObserver.Instance, 50, CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        paced.RunStarted(spec);
        for (int i = 0; i < 10; i++)
        {
            paced.StepCompleted(spec, snapshot, 1);
        }

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.19, 5); // 10 steps at 50 per second: at least 0.2 s

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var stopped = new PacedObserver(NullTrainingObserver.Instance, 0.01, cancel.Token);
        clock.Restart();
        stopped.RunStarted(spec);
        stopped.StepCompleted(spec, snapshot, 1); // would wait 100 s
        Assert.True(clock.Elapsed.TotalSeconds < 5);
    }
}
