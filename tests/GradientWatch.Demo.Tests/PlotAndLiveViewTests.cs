using GradientWatch.Demo.Live;
using GradientWatch.Demo.Reporting;
using GradientWatch.Demo.Scenarios;
using ScottPlot;

namespace GradientWatch.Demo.Tests;

/// <summary>The details of the plots, the index page and the live view that users noticed.</summary>
public sealed class PlotAndLiveViewTests
{
    [Fact]
    public void AConstantLearningRateIsDrawnAtItsValueNotInTheMiddleOfMinusOneToOne()
    {
        var (bottom, top) = PlotRenderer.LearningRateAxis([0.001, 0.001, 0.001])!.Value;
        Assert.Equal(0, bottom);
        Assert.InRange(top, 0.0011, 0.0012);
        Assert.Null(PlotRenderer.LearningRateAxis([double.NaN]));
    }

    [Fact]
    public void TwelveLayersGetTwelveDistinctColours()
    {
        var colours = Enumerable.Range(0, 12).Select(i => PlotRenderer.LayerColor(i, 12).ToHex()).ToArray();
        Assert.Equal(12, colours.Distinct().Count());
        Assert.Equal(4, Enumerable.Range(0, 4).Select(i => PlotRenderer.LayerColor(i, 4).ToHex()).Distinct().Count());
    }

    [Fact]
    public void ALayerWhoseNormIsZeroSaysSoInTheLegend()
    {
        Assert.Equal("fc1", PlotRenderer.LayerLegend("fc1", [1, 2]));
        Assert.Equal("fc1 (norm 0 on 1 steps: gaps)", PlotRenderer.LayerLegend("fc1", [1, 0]));
        Assert.Equal("fc1 (norm 0 on every step: not drawn)", PlotRenderer.LayerLegend("fc1", [0, 0]));
    }

    [Theory]
    [InlineData(2.9, 3.3)]   // less than a decade: no power of ten inside
    [InlineData(1e-3, 10)]   // several decades
    public void ALogAxisAlwaysHasLabelledTicks(double low, double high)
    {
        var plot = new Plot();
        double[] ys = [LogAxis.Log(low), LogAxis.Log(high)];
        plot.Add.Scatter(new double[] { 0, 1 }, ys);
        LogAxis.Apply(plot.Axes.Left, ys);
        plot.GetImage(400, 300);
        var labels = plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor && !string.IsNullOrEmpty(t.Label) && t.Position >= ys[0] && t.Position <= ys[1]).ToArray();
        Assert.NotEmpty(labels);
    }

    [Fact]
    public void TheIndexPageShowsThumbnailsOfEachScenariosPlots()
    {
        var outcome = new ScenarioOutcome
        {
            Scenario = ScenarioCatalog.Select("compare")[0],
            Runs = [],
            Diagnoses = [],
            Directory = "/tmp/x/compare",
            TrainedWith = "test",
            Files = ["compare-without-layer-norms.png", "compare-with-layer-norms.png", "compare-without-loss-lr.png", "compare-loss.png", "report.html"],
        };
        Assert.Equal(["compare-without-layer-norms.png", "compare-without-loss-lr.png", "compare-loss.png"], IndexPageWriter.ThumbnailsOf(outcome));
    }

    [Fact]
    public void AnExplodingTagLeavesTheLayerAFewStepsAfterTheLastEventAVanishingOneStays()
    {
        var state = new ProgressState("t");
        state.Start(ScenarioCatalog.Select("healthy")[0].CreateRuns(new ScenarioParameters { Epochs = 1 })[0]);
        state.Step(Snapshot(10), 1);
        state.Event(Issue(10, GradientIssueKind.Exploding, "fc1"));
        state.Event(Issue(10, GradientIssueKind.Vanishing, "fc2"));
        state.Step(Snapshot(10 + ProgressState.TransientFlagSteps), 1);
        Assert.Equal(GradientIssueKind.Exploding, state.FlagOf("fc1"));
        state.Step(Snapshot(11 + ProgressState.TransientFlagSteps), 1);
        Assert.Null(state.FlagOf("fc1"));
        Assert.Equal(GradientIssueKind.Vanishing, state.FlagOf("fc2"));
    }

    private static StepSnapshot Snapshot(long step) => new()
    {
        Step = step, Timestamp = DateTimeOffset.UnixEpoch, GlobalGradientNorm = 1, HasNonFinite = false, LearningRates = [0.1], IsFullStatistics = false, Layers = [],
    };

    private static GradientEvent Issue(long step, GradientIssueKind kind, string layer) => new()
    {
        Type = GradientEventType.Issue, Step = step, Time = DateTimeOffset.UnixEpoch, RunId = "r", Model = "m", Kind = kind,
        Severity = GradientEventSeverity.Error, Message = "test", Layers = [layer],
    };
}
