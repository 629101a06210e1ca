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
            "all-triggers-off" => w => w.DetectExploding(o => { o.ZScoreThreshold = null; o.JumpFactor = null; o.DivergenceNormFactor = null; o.GrowthFactor = null; }),
            "dead-fraction" => w => w.DetectDeadUnits(o => o.ZeroFractionThreshold = 0),
            "history" => w => w.Configure(o => o.EventHistoryCapacity = 0),
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
        Assert.Contains("consecutiveBadSteps", Assert.Throws<ArgumentOutOfRangeException>(() => builder.HaltAfter(0)).Message);
        Assert.Throws<ArgumentException>(() => RemedyTrigger.OnIssues());
        Assert.Throws<ArgumentOutOfRangeException>(() => RemedyTrigger.WhenGlobalNormAbove(double.NaN));
    }

    [Fact]
    public void DefaultsAreValid()
    {
        var builder = new GradientWatchBuilder().ClipGlobalNorm(1).ClipValue(1).ClipAdaptive().ClipZScore().SkipNonFiniteSteps().AddL2Penalty(1e-4).AddL1Penalty(1e-5).ReduceLearningRate().HaltAfter(5);
        builder.Validate();
    }
}
