using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Detection;

/// <summary>Mixed-precision underflow detection on a real model whose gradients are scaled into float16's subnormal range.</summary>
public sealed class UnderflowDetectorTests
{
    [Fact]
    public void TinyGradientsTripTheDetectorWithLossScalingAdvice()
    {
        var run = Train(scale: 1e-7f, configure: w => w.DetectUnderflow());
        var issue = Assert.Single(run.Where(e => e.Kind == GradientIssueKind.Underflow && e.Type == GradientEventType.Issue).Take(1));
        Assert.Equal("float16_underflow", issue.Trigger);
        Assert.Equal(3 * 2 - 1, issue.Step); // third full-statistics step (1, 3, 5)
        Assert.True(issue.ObservedValue >= 0.25);
        Assert.Contains("loss scaling", issue.Advice, StringComparison.Ordinal);
        Assert.Contains("bfloat16", issue.Advice, StringComparison.Ordinal);
        Assert.True(issue.Details["float16_fraction"] >= issue.ObservedValue);
        Assert.Equal(0, issue.Details["bfloat16_fraction"]);
    }

    [Fact]
    public void OffByDefaultAndQuietOnHealthyGradients()
    {
        Assert.DoesNotContain(Train(scale: 1e-7f, configure: _ => { }), e => e.Kind == GradientIssueKind.Underflow);
        Assert.DoesNotContain(Train(scale: 1f, configure: w => w.DetectUnderflow()), e => e.Kind == GradientIssueKind.Underflow);
    }

    [Fact]
    public void BFloat16ThresholdAloneIgnoresFloat16Underflow()
    {
        var events = Train(scale: 1e-7f, configure: w => w.DetectUnderflow(o => { o.Float16FractionThreshold = null; o.BFloat16FractionThreshold = 0.01; }));
        Assert.DoesNotContain(events, e => e.Kind == GradientIssueKind.Underflow);
    }

    [Fact]
    public void InvalidSettingsThrowNamingThem()
    {
        using var model = TestModels.Nested(4, 8, 2);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var e1 = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.DetectUnderflow(o => o.Float16FractionThreshold = 1.5)));
        Assert.Contains("UnderflowOptions.Float16FractionThreshold", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.DetectUnderflow().Configure(o => o.MeasureGradientHistograms = false)));
        Assert.Contains("MeasureGradientHistograms", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.Configure(o => { o.MeasureGradientHistograms = false; o.ExportGradientHistograms = true; })));
        Assert.Contains("ExportGradientHistograms", e3.Message, StringComparison.Ordinal);
        var e4 = Assert.Throws<ArgumentException>(() => model.WatchGradients(optimizer, w => w.Configure(o => o.MaxHistogramLayers = 0)));
        Assert.Contains("MaxHistogramLayers", e4.Message, StringComparison.Ordinal);
    }

    /// <summary>Trains a small model with the loss scaled by <paramref name="scale"/>, which scales every gradient by the same factor.</summary>
    private static List<GradientEvent> Train(float scale, Action<GradientWatchBuilder> configure)
    {
        torch.manual_seed(9);
        using var model = TestModels.Nested(6, 16, 2);
        using var optimizer = optim.SGD(model.parameters(), 1e-3);
        var events = new List<GradientEvent>();
        using var watch = model.WatchGradients(optimizer, w =>
        {
            w.Configure(o => o.FullStatisticsInterval = 2).DetectVanishing(o => o.Enabled = false).DetectStalledTraining(o => o.Enabled = false).OnEvent(events.Add);
            configure(w);
        });
        var x = torch.randn(32, 6);
        var y = torch.randn(32, 2);
        for (int step = 0; step < 12; step++)
        {
            optimizer.zero_grad();
            using var scope = torch.NewDisposeScope();
            var loss = (model.call(x) - y).square().mean() * scale;
            loss.backward();
            watch.Step(loss);
        }

        return events;
    }
}
