using GradientWatch.Demo.Live;
using GradientWatch.Demo.Metrics;
using GradientWatch.Demo.Scenarios;

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
        Assert.Equal(new[] { "healthy", "exploding", "vanishing", "nan", "compare", "all" }, ScenarioCatalog.Names);
        Assert.Equal(5, ScenarioCatalog.Select("all").Count);
        Assert.Equal(2, ScenarioCatalog.Select("compare")[0].CreateRuns(new ScenarioParameters { Epochs = 1 }).Count);
    }
}
