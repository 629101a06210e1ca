using GradientWatch.Corpus.Scoring;
using static GradientWatch.Corpus.Tests.Trajectories;

namespace GradientWatch.Corpus.Tests;

public sealed class LabellerTests
{
    [Fact]
    public void ARunThatReachesTheReferenceIsHealthy()
    {
        var label = Labeller.Label(Make(Falling(150), 1.0, 0.12), reference: 0.1);
        Assert.Equal(LabelKind.Healthy, label.Primary);
        Assert.Null(label.BlowUpStep);
        Assert.InRange(label.Progress, 0.97, 0.99);
    }

    [Fact]
    public void ANonFiniteLossIsDivergedAtThatStep()
    {
        double[] losses = [1.0, 1.2, 8, 400, 1e9, double.NaN, double.NaN];
        var label = Labeller.Label(Make(losses, 1.0, double.NaN), 0.1);
        Assert.Equal(LabelKind.Diverged, label.Primary);
        Assert.Equal(6, label.NonFiniteStep);
        Assert.Equal(4, label.BlowUpStep); // 400 > 10 × 1.0
    }

    [Fact]
    public void AFiniteBlowUpThatEndsWorseThanItStartedIsDiverged()
    {
        var losses = Falling(20).Concat(Enumerable.Repeat(30.0, 20)).ToArray();
        var label = Labeller.Label(Make(losses, 1.0, 25), 0.1);
        Assert.Equal(LabelKind.Diverged, label.Primary);
        Assert.Null(label.NonFiniteStep);
        Assert.Equal(21, label.BlowUpStep);
    }

    [Fact]
    public void ASpikeFollowedByRecoveryIsRecoveredAfterSpike()
    {
        var losses = Falling(100);
        losses[50] = 2.0; // above 3× the recent median and above the first loss
        var label = Labeller.Label(Make(losses, 1.0, 0.15), 0.1);
        Assert.Equal(LabelKind.RecoveredAfterSpike, label.Primary);
        Assert.False(label.Has(LabelKind.Diverged));
    }

    [Fact]
    public void ASpikeOnTheSecondStepIsASpike()
    {
        // A held-out transformer (Adam 0.0081): the first update overshoots, the loss jumps 4.2× and is back on step 3.
        double[] losses = [0.9955, 4.178, 1.051, 1.534, 1.735, 1.326, .. Falling(94, 1.0, 0.3)];
        var label = Labeller.Label(Make(losses, 1.152, 0.4412), 0.1728);
        Assert.Equal(LabelKind.RecoveredAfterSpike, label.Primary);
        Assert.Null(label.BlowUpStep); // below 10× the first loss: a spike, not a blow-up

        // Below 3× the first loss on step 2, it is mini-batch noise.
        losses[1] = 2.9;
        Assert.Equal(LabelKind.Healthy, Labeller.Label(Make(losses, 1.152, 0.4412), 0.1728).Primary);
    }

    [Fact]
    public void MiniBatchNoiseBelowTheFirstLossIsNotASpike()
    {
        var losses = Falling(100, 1.0, 0.01);
        losses[60] = 0.5; // 3× the recent median, but below the start: ordinary noise late in training
        Assert.Equal(LabelKind.Healthy, Labeller.Label(Make(losses, 1.0, 0.02), 0.01).Primary);
    }

    [Fact]
    public void FirstLayerBarelyMovingWhileTheLastMovesIsVanishing()
    {
        var t = Make(Falling(100, 1.0, 0.9), 1.0, 0.95, movement: [1e-4, 1e-3, 0.02, 0.4]);
        var label = Labeller.Label(t, 0.1);
        Assert.True(label.Has(LabelKind.Vanishing));
        Assert.True(label.Has(LabelKind.Stalled));
        Assert.Equal(LabelKind.Vanishing, label.Primary);
    }

    [Fact]
    public void HalfTheUnitsOfALayerNeverActivatingIsDeadUnits()
    {
        var label = Labeller.Label(Make(Falling(100), 1.0, 0.12, dead: [0.1, 0.6]), 0.1);
        Assert.Equal(LabelKind.DeadUnits, label.Primary);
        Assert.Equal(LabelKind.Healthy, Labeller.Label(Make(Falling(100), 1.0, 0.12, dead: [0.1, 0.4]), 0.1).Primary);
    }

    [Theory]
    [InlineData(0.98, "Stalled")]   // 2 % of the way to the reference
    [InlineData(0.7, "Slow")]       // a third of the way
    [InlineData(0.5, "Healthy")]    // more than half
    public void ProgressTowardTheReferenceSeparatesStalledSlowAndHealthy(double final, string expected)
        => Assert.Equal(Enum.Parse<LabelKind>(expected), Labeller.Label(Make(Falling(100, 1.0, final), 1.0, final), 0.1).Primary);
}
