namespace GradientWatch.Tests.Remedies;

/// <summary>A remedy event names the issue that triggered it, or none; never an issue that did not occur on its step.</summary>
public sealed class RemedyAttributionTests
{
    [Fact]
    public void ClippingWithoutAnExplodingIssueNamesNoIssue()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0));
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 }); // norm 5 on the first step: no issue yet
        watch.Step(1.0);
        var clip = Assert.Single(watch.History, e => e.Remedy == "clip_global_norm");
        Assert.Null(clip.Kind);
        Assert.DoesNotContain(watch.History, e => e.Type == GradientEventType.Issue);
    }

    [Fact]
    public void ClippingOnAStepWithAnExplodingIssueNamesIt()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w.ClipGlobalNorm(1.0));
        fixture.SetGradients(new float[,] { { 0.3f, 0 }, { 0, 0 } }, new float[] { 0.4f, 0 }); // norm 0.5, loss 1
        watch.Step(1.0);
        fixture.SetGradients(new float[,] { { 30, 0 }, { 0, 0 } }, new float[] { 40, 0 }); // norm 50 (100×), loss 10×: divergence
        watch.Step(10.0);
        var issue = Assert.Single(watch.History, e => e.Type == GradientEventType.Issue);
        Assert.Equal(GradientIssueKind.Exploding, issue.Kind);
        var clip = Assert.Single(watch.History, e => e.Remedy == "clip_global_norm");
        Assert.Equal(2, clip.Step);
        Assert.Equal(GradientIssueKind.Exploding, clip.Kind);
    }

    [Fact]
    public void AnAlwaysTriggeredRemedyDoesNotBorrowAnotherIssuesKind()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel();
        using var watch = fixture.Watch(w => w
            .DetectVanishing(o => { o.AbsoluteThreshold = 10; o.RelativeThreshold = null; o.ConsecutiveSteps = 1; o.RelativeUpdateThreshold = null; })
            .ClipGlobalNorm(1.0));
        fixture.SetGradients(new float[,] { { 3, 0 }, { 0, 0 } }, new float[] { 4, 0 }); // norm 5: "vanishing" under this threshold, and clipped
        watch.Step(1.0);
        Assert.Contains(watch.History, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Vanishing);
        Assert.Null(Assert.Single(watch.History, e => e.Remedy == "clip_global_norm").Kind);
    }

    [Fact]
    public void ReduceLearningRateIgnoresWarningLevelOutliersByDefault()
    {
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var watch = fixture.Watch(w => w
            .DetectExploding(o => { o.ZScoreThreshold = 3; o.WarmupSteps = 5; })
            .ReduceLearningRate());
        var rng = new Random(3);
        for (int s = 0; s < 20; s++)
        {
            float v = 1f + (0.05f * (float)rng.NextDouble());
            fixture.SetGradients(new float[,] { { v, 0 }, { 0, 0 } }, new float[] { 0, 0 });
            watch.Step(1.0);
        }

        fixture.SetGradients(new float[,] { { 4, 0 }, { 0, 0 } }, new float[] { 0, 0 }); // a z-score outlier, loss unchanged
        watch.Step(1.0);
        var outlier = Assert.Single(watch.History, e => e.Type == GradientEventType.Issue && e.Kind == GradientIssueKind.Exploding);
        Assert.Equal(GradientEventSeverity.Warning, outlier.Severity);
        Assert.DoesNotContain(watch.History, e => e.Remedy == "reduce_lr");
        Assert.Equal(0.1, fixture.Optimizer.ParamGroups.First().LearningRate, 12);
    }

    [Fact]
    public void ASeverityTriggerReactsOnlyToIssuesAtOrAboveIt()
    {
        var trigger = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding);
        Assert.Equal(GradientEventSeverity.Error, trigger.MinimumSeverity);
        Assert.Equal("on Exploding (error or worse)", trigger.Description);
        Assert.Equal(GradientEventSeverity.Info, RemedyTrigger.OnIssues(GradientIssueKind.Exploding).MinimumSeverity);
        Assert.Equal(GradientEventSeverity.Error, new LearningRateReductionOptions().Trigger.MinimumSeverity);
    }
}
