using GradientWatch.Detection;
using GradientWatch.Tests.Support;

namespace GradientWatch.Tests.Detection;

public sealed class PersistentDetectorTests
{
    [Fact]
    public void VanishingNeedsKConsecutiveStepsAndCarriesTheDepthProfile()
    {
        var detector = new VanishingGradientDetector(new VanishingGradientOptions { AbsoluteThreshold = 1e-6, RelativeThreshold = null, ConsecutiveSteps = 3 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.FromNorms(1, 1e-8, 1e-2, 1.0), issues);
        detector.Detect(Snapshots.FromNorms(2, 1e-8, 1e-2, 1.0), issues);
        detector.Detect(Snapshots.FromNorms(3, 1e-5, 1e-2, 1.0), issues); // streak broken
        detector.Detect(Snapshots.FromNorms(4, 1e-8, 1e-2, 1.0), issues);
        detector.Detect(Snapshots.FromNorms(5, 1e-8, 1e-2, 1.0), issues);
        Assert.Empty(issues);
        detector.Detect(Snapshots.FromNorms(6, 1e-8, 1e-2, 1.0), issues);
        var issue = Assert.Single(issues);
        Assert.Equal(GradientIssueKind.Vanishing, issue.Kind);
        Assert.Equal(new[] { "layer0" }, issue.Layers);
        Assert.Equal(1e-8, issue.Details["depth_profile"], 12);
        Assert.True(issue.Persistent);
    }

    [Fact]
    public void VanishingRelativeThresholdComparesWithTheLargestLayer()
    {
        var detector = new VanishingGradientDetector(new VanishingGradientOptions { AbsoluteThreshold = null, RelativeThreshold = 1e-3, ConsecutiveSteps = 1 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.FromNorms(1, 5e-4, 2e-3, 1.0), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("relative", issue.Trigger);
        Assert.Equal(new[] { "layer0" }, issue.Layers);
        Assert.Equal(5e-4, issue.ObservedValue!.Value, 12);
    }

    [Fact]
    public void PersistentConditionsRepeatOnlyEveryNSteps()
    {
        var detector = new VanishingGradientDetector(new VanishingGradientOptions { AbsoluteThreshold = 1e-6, RelativeThreshold = null, ConsecutiveSteps = 2, RepeatEverySteps = 5 });
        var issues = new List<DetectedIssue>();
        var reportedAt = new List<long>();
        for (int s = 1; s <= 14; s++)
        {
            int before = issues.Count;
            detector.Detect(Snapshots.FromNorms(s, 1e-9, 1.0), issues);
            if (issues.Count > before)
            {
                reportedAt.Add(s);
            }
        }

        Assert.Equal(new long[] { 2, 7, 12 }, reportedAt);
    }

    [Fact]
    public void DeadUnitsCountOnlyFullStatisticsSteps()
    {
        var detector = new DeadUnitsDetector(new DeadUnitsOptions { ZeroFractionThreshold = 0.9, ConsecutiveSteps = 2 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.Build(1, new[] { 1.0, 1.0 }, zeroFractions: new[] { 0.95, 0.1 }), issues);
        detector.Detect(Snapshots.Build(2, new[] { 1.0, 1.0 }, full: false), issues);
        Assert.Empty(issues);
        detector.Detect(Snapshots.Build(3, new[] { 1.0, 1.0 }, zeroFractions: new[] { 0.92, 0.1 }), issues);
        var issue = Assert.Single(issues);
        Assert.Equal(GradientIssueKind.DeadUnits, issue.Kind);
        Assert.Equal(new[] { "layer0" }, issue.Layers);
        Assert.Equal(0.92, issue.ObservedValue!.Value, 12);
    }

    [Fact]
    public void StalledFiresOnTinyUpdateRatiosForKMeasuredSteps()
    {
        var detector = new StalledTrainingDetector(new StalledTrainingOptions { UpdateRatioThreshold = 1e-6, ConsecutiveSteps = 2 });
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.Build(1, new[] { 1.0, 1.0 }, updateRatios: new[] { 1e-8, 1e-3 }), issues);
        detector.Detect(Snapshots.Build(2, new[] { 1.0, 1.0 }, full: false), issues); // not measured: streak kept
        Assert.Empty(issues);
        detector.Detect(Snapshots.Build(3, new[] { 1.0, 1.0 }, updateRatios: new[] { 1e-9, 1e-3 }), issues);
        var issue = Assert.Single(issues);
        Assert.Equal(new[] { "layer0" }, issue.Layers);
        Assert.Equal(1e-9, issue.ObservedValue!.Value, 15);
    }

    [Fact]
    public void NonFiniteNamesLayersCountsAndTheOneNearestTheInput()
    {
        var detector = new NonFiniteGradientDetector();
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.Build(7, new[] { 1.0, 1.0, 1.0 }, nanCounts: new long[] { 0, 4, 2 }), issues);
        var issue = Assert.Single(issues);
        Assert.Equal(new[] { "layer1", "layer2" }, issue.Layers);
        Assert.Equal(6, issue.ObservedValue);
        Assert.Equal(1, issue.Details["first_layer_index"]);
        Assert.Contains("nearest the input: layer1", issue.Message);
    }

    [Fact]
    public void NonFiniteLossAloneIsReported()
    {
        var detector = new NonFiniteGradientDetector();
        var issues = new List<DetectedIssue>();
        detector.Detect(Snapshots.Build(3, new[] { 1.0 }, loss: double.NaN), issues);
        var issue = Assert.Single(issues);
        Assert.Equal("loss", issue.Trigger);
        Assert.Empty(issue.Layers);
    }

    [Fact]
    public void AdviceForVanishingNamesSigmoidsAndMissingNormalization()
    {
        var profile = ModelProfile.FromModuleTypes(Enumerable.Repeat("Sigmoid", 8).Concat(Enumerable.Repeat("Linear", 9)), parameterizedLayers: 9);
        var issue = new DetectedIssue { Kind = GradientIssueKind.Vanishing, Trigger = "relative", Severity = GradientEventSeverity.Warning, Message = "m" };
        string advice = AdviceBuilder.For(issue, profile, Snapshots.FromNorms(1, 1.0), Array.Empty<string>())!;
        Assert.Contains("8 Sigmoid activations and no normalization", advice);
        Assert.Contains("ReLU", advice);
        Assert.Contains("LayerNorm/BatchNorm", advice);
        Assert.Contains("residual", advice);
    }

    [Fact]
    public void AdviceForExplodingSuggestsWhatIsNotConfiguredYet()
    {
        var profile = ModelProfile.FromModuleTypes(new[] { "LSTM", "Linear" }, parameterizedLayers: 2);
        var issue = new DetectedIssue { Kind = GradientIssueKind.Exploding, Trigger = "zscore", Severity = GradientEventSeverity.Error, Message = "m" };
        string without = AdviceBuilder.For(issue, profile, Snapshots.Build(1, new[] { 1.0 }, lr: 0.5), Array.Empty<string>())!;
        string with = AdviceBuilder.For(issue, profile, Snapshots.FromNorms(1, 1.0), new[] { "clip_global_norm" })!;
        Assert.Contains("lower the learning rate (now 0.5)", without);
        Assert.Contains("clipping", without);
        Assert.Contains("context window", without);
        Assert.DoesNotContain("add gradient clipping", with);
    }
}
