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
        var options = new ExplodingGradientOptions { ZScoreThreshold = 3, WarmupSteps = 10, JumpFactor = null, Smoothing = 0.9 };
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
        Assert.True(issue.ObservedValue > 3);
        Assert.Equal(3, issue.Threshold);
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
}
