using GradientWatch.Detection;
using GradientWatch.Tests.Support;

namespace GradientWatch.Tests.Detection;

public sealed class ExplodingGradientDetectorTests
{
    [Fact]
    public void AbsoluteGlobalThresholdFiresOnlyAboveIt()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { GlobalNormThreshold = 5, ZScoreThreshold = null, JumpFactor = null });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.FromNorms(1, 3, 4), issues); // global 5: not above
        Assert.Empty(issues);
        detector.Detect(Snapshots.FromNorms(2, 3, 4.1), issues);
        var issue = Assert.Single(issues);
        Assert.Equal(GradientIssueKind.Exploding, issue.Kind);
        Assert.Equal("absolute", issue.Trigger);
        Assert.Equal(5, issue.Threshold);
        Assert.Equal(Math.Sqrt(9 + (4.1 * 4.1)), issue.ObservedValue!.Value, 12);
        Assert.Equal(new[] { "layer0", "layer1" }, issue.Layers);
    }

    [Fact]
    public void AbsoluteLayerThresholdNamesOnlyOffendingLayers()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { LayerNormThreshold = 2, ZScoreThreshold = null, JumpFactor = null });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.FromNorms(1, 0.5, 3, 1, 2.5), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("absolute_layer", issue.Trigger);
        Assert.Equal(new[] { "layer1", "layer3" }, issue.Layers);
    }

    [Fact]
    public void ZScoreWaitsForWarmupThenFiresOnASpike()
    {
        var options = new ExplodingGradientOptions { ZScoreThreshold = 3, WarmupSteps = 10, JumpFactor = null, Smoothing = 0.9, GrowthFactor = null };
        var detector = new ExplodingGradientDetector(options);
        var issues = new List<DetectedIssue>();

        // A spike during warm-up is not reported.
        detector.Detect(Snapshots.FromNorms(1, 1.0), issues);
        detector.Detect(Snapshots.FromNorms(2, 50.0), issues);
        Assert.Empty(issues);

        var detector2 = new ExplodingGradientDetector(options);
        var rng = new Random(1);
        for (int s = 1; s <= 30; s++)
        {
            detector2.Detect(Snapshots.FromNorms(s, 1.0 + (0.05 * rng.NextDouble())), issues);
        }

        Assert.Empty(issues);
        detector2.Detect(Snapshots.FromNorms(31, 3.0), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("zscore", issue.Trigger);
        Assert.Equal(GradientEventSeverity.Warning, issue.Severity); // a statistical outlier, not evidence of divergence
        Assert.True(issue.ObservedValue > 3);
        Assert.Equal(3, issue.Threshold);
    }

    [Fact]
    public void ZScoreIgnoresLargeZOnSmallRelativeChanges()
    {
        // A very steady norm makes σ tiny, so 1.5 has a huge z-score; it is still not twice the mean: not an explosion.
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { ZScoreThreshold = 3, WarmupSteps = 5, JumpFactor = null });
        var issues = new List<DetectedIssue>();
        for (int s = 1; s <= 20; s++)
        {
            detector.Detect(Snapshots.FromNorms(s, 1.0 + (0.001 * (s % 2))), issues);
        }

        detector.Detect(Snapshots.FromNorms(21, 1.5), issues);
        Assert.Empty(issues);
        detector.Detect(Snapshots.FromNorms(22, 2.5), issues);
        Assert.Equal("zscore", Assert.Single(issues).Trigger);
    }

    [Fact]
    public void ZScoreMatchesHandComputedMovingStatistics()
    {
        // Moving statistics with α = 0.5 over 1, 3: mean = 1 + 0.5·2 = 2, var = 0.5·(0 + 0.5·4) = 1.
        var stats = new ExponentialMovingStatistics(0.5);
        stats.Update(1);
        stats.Update(3);
        Assert.Equal(2.0, stats.Mean, 12);
        Assert.Equal(1.0, stats.Variance, 12);
        Assert.Equal(3.0, stats.ZScore(5), 12);
    }

    [Fact]
    public void JumpTriggerFlagsTheLayerThatJumpedAgainstItsOwnHistory()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { ZScoreThreshold = null, JumpFactor = 10, WarmupSteps = 5 });
        var issues = new List<DetectedIssue>();
        for (int s = 1; s <= 5; s++)
        {
            detector.Detect(Snapshots.FromNorms(s, 1.0, 100.0), issues);
        }

        detector.Detect(Snapshots.FromNorms(6, 9.0, 100.0), issues); // 9× is below the factor
        Assert.Empty(issues);

        // The moving mean absorbed the 9: 1 + (1 − 0.97)·(9 − 1) = 1.24, so 14 is a 11.29× jump.
        detector.Detect(Snapshots.FromNorms(7, 14.0, 100.0), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("jump", issue.Trigger);
        Assert.Equal(GradientEventSeverity.Warning, issue.Severity);
        Assert.Equal(new[] { "layer0" }, issue.Layers);
        Assert.Equal(14.0 / 1.24, issue.ObservedValue!.Value, 9);
    }

    [Fact]
    public void NonFiniteNormsAreLeftToTheNonFiniteDetector()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { GlobalNormThreshold = 1 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.Build(1, new[] { 1.0, 2.0 }, nanCounts: new long[] { 0, 3 }), issues);
        Assert.Empty(issues);
    }

    private static StepSnapshot Step(long step, double norm, double? loss) => Snapshots.Build(step, [norm], loss: loss);

    [Fact]
    public void DefaultsTurnTheOutlierTriggersOffAndTheDivergenceTriggersOn()
    {
        var o = new ExplodingGradientOptions();
        Assert.Null(o.ZScoreThreshold);
        Assert.Null(o.JumpFactor);
        Assert.Equal(5.0, o.DivergenceNormFactor);
        Assert.Equal(3.0, o.DivergenceLossFactor);
        Assert.Equal(50.0, o.GrowthFactor);
    }

    [Fact]
    public void DivergenceIsFlaggedOnTheSecondStepWithoutWarmup()
    {
        // The shape of the issue's regression MLP (SGD lr 1.2): loss 6.5e17 at step 7, NaN at step 8.
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 0.9, 1.0), issues);
        Assert.Empty(issues);
        detector.Detect(Step(2, 6.0, 4.0), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("divergence", issue.Trigger);
        Assert.Equal(GradientEventSeverity.Error, issue.Severity);
        Assert.Equal(6.0 / 0.9, issue.ObservedValue!.Value, 9);
        Assert.Equal(4.0, issue.Details["loss_growth"], 9);
        Assert.Contains("loss 4", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANormJumpWhileTheLossFallsIsNotDivergence()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 1.0, 1.0), issues);
        detector.Detect(Step(2, 10.0, 0.8), issues); // 10× the norm, but the loss fell: early training, not divergence
        detector.Detect(Step(3, 12.0, 2.5), issues); // loss up, but only 2.5× its start
        Assert.Empty(issues);
    }

    [Fact]
    public void DivergenceLateInTrainingIsMeasuredAgainstTheRecentMedian()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 1.0, 2.0), issues);
        for (int s = 2; s <= 30; s++)
        {
            detector.Detect(Step(s, 0.2, 0.5), issues);
        }

        detector.Detect(Step(31, 0.9, 1.9), issues); // 4.5× the recent norm: below the factor
        Assert.Empty(issues);
        detector.Detect(Step(32, 1.2, 1.6), issues); // 6× the recent norm, 3.2× the recent loss, but below the first loss
        Assert.Empty(issues);
        detector.Detect(Step(33, 1.5, 2.1), issues); // 7.5× the recent norm, 4.2× the recent loss, above the first loss
        Assert.Equal("divergence", Assert.Single(issues).Trigger);
    }

    [Fact]
    public void GrowthOfTheNormAloneIsFlaggedWhenNoLossIsPassed()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 0.5, null), issues);
        detector.Detect(Step(2, 20.0, null), issues); // 40×
        Assert.Empty(issues);
        detector.Detect(Step(3, 30.0, null), issues); // 60× the first, and rising
        var issue = Assert.Single(issues);
        Assert.Equal("growth", issue.Trigger);
        Assert.Equal(GradientEventSeverity.Error, issue.Severity);
        Assert.Equal(60.0, issue.ObservedValue!.Value, 9);
    }

    [Fact]
    public void ANormThatGrowsWhileThePassedLossFallsIsNotGrowth()
    {
        // A held-out 12-layer ReLU MLP (Adam, iris): its first gradient is tiny (0.042); by step 80 the norm is 64× that
        // while the loss has fallen from 1.1 to 0.43. The norm alone would call it growth; the loss says it trains.
        double[] norms = [0.44, 0.59, 1.3, 1.35, 2.09, 2.06, 2.69, 0.49, 0.22, 1.24, 3.08, 4.95];
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 0.04227, 1.099), issues);
        for (int i = 0; i < norms.Length; i++)
        {
            detector.Detect(Step(2 + i, norms[i], 0.43), issues);
        }

        Assert.Empty(issues);

        // The same norms from a loop that passes no loss are growth.
        var blind = new ExplodingGradientDetector(new ExplodingGradientOptions());
        blind.Detect(Step(1, 0.04227, null), issues);
        for (int i = 0; i < norms.Length; i++)
        {
            blind.Detect(Step(2 + i, norms[i], null), issues);
        }

        Assert.Equal(3, issues.Count); // 2.69, 3.08 and 4.95: rising, and past 50 × 0.042 = 2.11
        Assert.All(issues, i => Assert.Equal("growth", i.Trigger));
    }

    [Fact]
    public void GrowthStillFiresOnAStepWhoseLossIsNotFinite()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions());
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 0.5, 1.0), issues);
        detector.Detect(Step(2, 30.0, double.NaN), issues); // 60× and rising; the loss tells nothing
        Assert.Equal("growth", Assert.Single(issues).Trigger);
    }

    [Fact]
    public void DivergenceAndGrowthCanBeTurnedOff()
    {
        var detector = new ExplodingGradientDetector(new ExplodingGradientOptions { DivergenceNormFactor = null, GrowthFactor = null, GlobalNormThreshold = 1e6 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Step(1, 1.0, 1.0), issues);
        detector.Detect(Step(2, 1000.0, 100.0), issues);
        Assert.Empty(issues);
    }
}
