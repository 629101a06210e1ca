using GradientWatch.Tests.Remedies;

namespace GradientWatch.Tests.Detection;

public sealed class ConfigurationValidationTests
{
    public static TheoryData<string, string> InvalidConfigurations() => new()
    {
        { "negative-layer-threshold", "ExplodingGradientOptions.LayerNormThreshold" },
        { "zero-z", "ExplodingGradientOptions.ZScoreThreshold" },
        { "negative-vanishing", "VanishingGradientOptions.AbsoluteThreshold" },
        { "relative-one", "VanishingGradientOptions.RelativeThreshold" },
        { "factor-one", "LearningRateReductionOptions.Factor" },
        { "negative-cooldown", "RemedyOptions.CooldownSteps" },
        { "contradictory-thresholds", "VanishingGradientOptions.AbsoluteThreshold" },
        { "skip-always", "RemedyOptions.Trigger" },
        { "trigger-on-disabled", "Exploding detection is disabled" },
        { "all-triggers-off", "ExplodingGradientOptions.Enabled" },
        { "dead-fraction", "DeadUnitsOptions.ZeroFractionThreshold" },
        { "history", "GradientWatchOptions.EventHistoryCapacity" },
        { "stalled-trigger", "reacts to Stalled issues" },
        { "stalled-while-active", "reacts to Stalled issues" },
        { "stalled-without-update-ratio", "GradientWatchOptions.MeasureUpdateRatio" },
        { "vanishing-above-global-exploding", "ExplodingGradientOptions.GlobalNormThreshold" },
        { "reduce-lr-always", "reduce_lr: RemedyOptions.Trigger is Always" },
        { "empty-model-name", "GradientWatchOptions.ModelName" },
        { "blank-model-name", "GradientWatchOptions.ModelName" },
        { "nul-in-event-path", "GradientWatchOptions.EventFilePath" },
        { "event-path-is-directory", "GradientWatchOptions.EventFilePath" },
        { "unknown-penalty-layer", "PenaltyOptions.Layers names 'decoder'" },
        { "empty-penalty-layer", "PenaltyOptions.Layers names ''" },
        { "negative-retention", "GradientWatchOptions.MetricsRetentionAfterDispose" },
        { "empty-run-id", "GradientWatchOptions.RunId" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigurations))]
    public void InvalidSettingsThrowAtBuildNamingTheSetting(string name, string expected)
    {
        Action<GradientWatchBuilder> configure = name switch
        {
            "negative-layer-threshold" => w => w.DetectExploding(o => o.LayerNormThreshold = -1),
            "zero-z" => w => w.DetectExploding(o => o.ZScoreThreshold = 0),
            "negative-vanishing" => w => w.DetectVanishing(o => o.AbsoluteThreshold = -1e-6),
            "relative-one" => w => w.DetectVanishing(o => o.RelativeThreshold = 1.5),
            "factor-one" => w => w.ReduceLearningRate(o => o.Factor = 1.0),
            "negative-cooldown" => w => w.ClipGlobalNorm(1.0, o => o.CooldownSteps = -1),
            "contradictory-thresholds" => w => w.DetectExploding(o => o.LayerNormThreshold = 1e-3).DetectVanishing(o => o.AbsoluteThreshold = 1e-2),
            "skip-always" => w => w.SkipNonFiniteSteps(o => o.Trigger = RemedyTrigger.Always),
            "trigger-on-disabled" => w => w.DetectExploding(o => o.Enabled = false).ReduceLearningRate(),
            "all-triggers-off" => w => w.DetectExploding(o => { o.ZScoreThreshold = null; o.JumpFactor = null; o.DivergenceNormFactor = null; o.SurgeLossFactor = null; o.GrowthFactor = null; }),
            "dead-fraction" => w => w.DetectDeadUnits(o => o.ZeroFractionThreshold = 0),
            "history" => w => w.Configure(o => o.EventHistoryCapacity = 0),
            "stalled-trigger" => w => w.ReduceLearningRate(o => o.Trigger = RemedyTrigger.OnIssues(GradientIssueKind.Exploding, GradientIssueKind.Stalled)),
            "stalled-while-active" => w => w.AddL2Penalty(1e-3, o => o.WhileIssueActive = [GradientIssueKind.Stalled]),
            "stalled-without-update-ratio" => w => w.Configure(o => o.MeasureUpdateRatio = false).DetectStalledTraining(o => o.ConsecutiveSteps = 3),
            "vanishing-above-global-exploding" => w => w.DetectExploding(o => o.GlobalNormThreshold = 1e-3).DetectVanishing(o => o.AbsoluteThreshold = 1e-2),
            "reduce-lr-always" => w => w.ReduceLearningRate(o => o.Trigger = RemedyTrigger.Always),
            "empty-model-name" => w => w.Configure(o => o.ModelName = string.Empty),
            "blank-model-name" => w => w.Configure(o => o.ModelName = "  "),
            "nul-in-event-path" => w => w.WriteEventsTo("runs/ev\0ents.jsonl"),
            "event-path-is-directory" => w => w.WriteEventsTo(Path.GetTempPath().TrimEnd('/') + "/"),
            "unknown-penalty-layer" => w => w.AddL2Penalty(1e-3, o => o.Layers.Add("decoder")),
            "empty-penalty-layer" => w => w.AddL1Penalty(1e-3, o => o.Layers.Add(string.Empty)),
            "negative-retention" => w => w.Configure(o => o.MetricsRetentionAfterDispose = TimeSpan.FromSeconds(-1)),
            "empty-run-id" => w => w.Configure(o => o.RunId = " "),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        using var fixture = new RemedyArithmeticTests.ManualModel();
        var ex = Assert.ThrowsAny<ArgumentException>(() => fixture.Module.WatchGradients(fixture.Optimizer, configure));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void InvalidRemedyArgumentsThrowImmediatelyNamingTheArgument()
    {
        var builder = new GradientWatchBuilder();
        Assert.Contains("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipGlobalNorm(-1)).Message);
        Assert.Contains("limit", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipValue(0)).Message);
        Assert.Contains("zThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipZScore(zThreshold: 0)).Message);
        Assert.Contains("ClipRelativeNorm: factor", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipRelativeNorm(factor: 1)).Message);
        Assert.Contains("ClipRelativeNorm: factor", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipRelativeNorm(factor: double.PositiveInfinity)).Message);
        Assert.Contains("ClipRelativeNorm: window", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipRelativeNorm(window: 0)).Message);
        Assert.Contains("consecutiveBadSteps", Assert.Throws<ArgumentOutOfRangeException>(() => builder.HaltAfter(0)).Message);
        Assert.Throws<ArgumentException>(() => RemedyTrigger.OnIssues());
        Assert.Throws<ArgumentOutOfRangeException>(() => RemedyTrigger.WhenGlobalNormAbove(double.NaN));
    }

    [Fact]
    public void ValuesBeyondFloat32AreRejectedNamingTheArgument()
    {
        var builder = new GradientWatchBuilder();
        Assert.Contains("ClipValue: limit must be at most", Assert.Throws<ArgumentOutOfRangeException>(() => builder.ClipValue(1e39)).Message);
        Assert.Contains("AddL2Penalty: coefficient must be at most", Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddL2Penalty(1e300)).Message);
        Assert.Contains("AddL1Penalty: coefficient must be at most", Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddL1Penalty(double.MaxValue)).Message);
        builder.ClipValue(float.MaxValue).AddL2Penalty(1e-4).Validate();
    }

    [Fact]
    public void PenaltyLayersThatNameLayersOrPrefixesOfThemAreAccepted()
    {
        using var model = Support.TestModels.Nested(3, 4, 1);
        using var optimizer = TorchSharp.torch.optim.SGD(model.parameters(), 0.01);
        using var watch = model.WatchGradients(optimizer, w => w.AddL2Penalty(1e-3, o => { o.Layers.Add("encoder"); o.Layers.Add("head"); o.Layers.Add("encoder.2.fc1"); }));
        Assert.Contains("encoder.2.fc1", watch.LayerNames);
    }

    [Fact]
    public void StalledDetectionByDefaultIsLeftOutWithoutTheUpdateRatio()
    {
        // Not asked for explicitly: no error, the detector that could never fire is simply not run.
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.0);
        using var watch = fixture.Watch(w => w.Configure(o => o.MeasureUpdateRatio = false));
        for (int i = 0; i < 12; i++)
        {
            fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 1 } }, new float[] { 1, 1 });
            watch.Step();
        }

        Assert.DoesNotContain(watch.History, e => e.Kind == GradientIssueKind.Stalled);
    }

    [Fact]
    public void StalledIssuesAreStillReportedWhenTheUpdateRatioIsMeasured()
    {
        // The probe that stays: with lr 0 nothing moves, and stalled training is detected (after the optimizer step).
        using var fixture = new RemedyArithmeticTests.ManualModel(lr: 0.0);
        using var watch = fixture.Watch(w => w.DetectStalledTraining(o => o.ConsecutiveSteps = 3));
        for (int i = 0; i < 6; i++)
        {
            fixture.SetGradients(new float[,] { { 1, (float)i }, { 0, 1 } }, new float[] { 1, 1 });
            watch.Step();
        }

        Assert.Contains(watch.History, e => e.Kind == GradientIssueKind.Stalled);
    }

    [Fact]
    public void DefaultsAreValid()
    {
        var builder = new GradientWatchBuilder().ClipGlobalNorm(1).ClipValue(1).ClipAdaptive().ClipZScore().ClipRelativeNorm().SkipNonFiniteSteps().AddL2Penalty(1e-4).AddL1Penalty(1e-5).ReduceLearningRate().HaltAfter(5);
        builder.Validate();
    }
}
