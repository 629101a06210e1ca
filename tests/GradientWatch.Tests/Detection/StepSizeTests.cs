using GradientWatch.Detection;
using GradientWatch.Tests.Scenarios;
using GradientWatch.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Detection;

[Collection(RunsAloneCollection.Name)]
public sealed class StepSizeTests(ITestOutputHelper output)
{
    private const double Curvature = 4.0;

    [Theory]
    [InlineData(0.5)]   // below 1/L: a timid step, α = ηL − 1 = −0.5
    [InlineData(1.0)]   // exactly 1/L: lands at the minimum, α = 0
    [InlineData(1.5)]   // between 1/L and 2/L: overshoots, α = 0.5
    [InlineData(1.9)]   // close to 2/L: nearly as high on the far side, α = 0.9
    public void AlphaOnAQuadraticBowlMatchesTheAnalyticValue(double lrTimesCurvature)
    {
        double lr = lrTimesCurvature / Curvature;
        using var w = nn.Linear(3, 1, hasBias: false).to(ScalarType.Float64);
        using (torch.no_grad())
        {
            w.weight!.copy_(torch.tensor(new double[,] { { 1.0, -2.0, 0.5 } }));
        }

        using var optimizer = optim.SGD(w.parameters(), lr);
        using var watch = w.WatchGradients(optimizer, b => b.DetectOvershooting());
        var alphas = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            optimizer.zero_grad();
            using var loss = w.weight!.square().sum() * (0.5 * Curvature);
            loss.backward();
            alphas.Add(watch.Step(loss).StepSizeAlpha);
        }

        Assert.True(double.IsNaN(alphas[0]), "the first step has no previous step to measure");
        Assert.Equal(lrTimesCurvature - 1, alphas[1], 9);
        if (lrTimesCurvature != 1.0)
        {
            // At exactly 1/L the first step lands on the minimum and nothing moves afterwards.
            Assert.All(alphas.Skip(2), alpha => Assert.Equal(lrTimesCurvature - 1, alpha, 9));
        }
    }

    [Theory]
    [InlineData(-1.0, -0.5)]
    [InlineData(-2.0, 0.0)]
    [InlineData(-0.5, 0.75)]
    public void FitUsesSlopesAndLossesConsistently(double g0, double expected)
    {
        // Exact quadratic q(τ) = aτ² + g0·τ + l0 with q'(1) = g1 = −α·g0: α comes back whether or not losses are given.
        double g1 = -expected * g0;
        double a = (g1 - g0) / 2;
        double l0 = 3;
        double l1 = a + g0 + l0;
        Assert.Equal(expected, StepSizeFit.Alpha(l0, l1, g0, g1), 12);
        Assert.Equal(expected, StepSizeFit.Alpha(null, null, g0, g1), 12);
    }

    [Fact]
    public void FitIsNaNWhenTheLossIsNotABowlAlongTheStep()
    {
        Assert.True(double.IsNaN(StepSizeFit.Alpha(1, 0.5, -1, -1.5))); // curving down
        Assert.True(double.IsNaN(StepSizeFit.Alpha(null, null, 1, 2)));  // uphill from the start
    }

    [Fact]
    public void StepSizeIsOffByDefault()
    {
        using var fixture = new Remedies.RemedyArithmeticTests.ManualModel(lr: 0.1);
        using var watch = fixture.Watch(_ => { });
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        watch.Step();
        fixture.SetGradients(new float[,] { { 1, 0 }, { 0, 0 } }, new float[] { 0, 0 });
        Assert.True(double.IsNaN(watch.Step().StepSizeAlpha));
    }

    [Fact]
    public void ExplodingRunIsFlaggedAsOvershootingBeforeTheLossDiverges()
    {
        torch.manual_seed(1);
        using var model = TestModels.Mlp(4, 64, 1, depth: 4, () => nn.ReLU());
        using var optimizer = optim.SGD(model.parameters(), 0.3, momentum: 0.9);
        var run = TrainingRun.Train(model, optimizer, steps: 40, configure: w => w.DetectOvershooting());
        output.WriteLine(string.Join(" ", run.Snapshots.Select(s => s.StepSizeAlpha.ToString("F2"))));
        output.WriteLine(string.Join(" ", run.Losses.Select(l => l.ToString("G3"))));

        double initial = run.Losses[0];
        int diverged = run.Losses.ToList().FindIndex(l => !double.IsFinite(l) || l > 10 * initial) + 1;
        Assert.True(diverged > 0, "the run should diverge");
        var overshoot = run.Events.FirstOrDefault(e => e.Kind == GradientIssueKind.Overshooting && e.Type == GradientEventType.Issue);
        Assert.NotNull(overshoot);
        Assert.True(overshoot.Step < diverged, $"overshooting flagged at step {overshoot.Step}, loss diverged at step {diverged}");
        Assert.NotNull(overshoot.Advice);
        Assert.Contains("learning rate", overshoot.Advice);
    }

    [Fact]
    public void HealthyTrainingIsNotFlagged()
    {
        torch.manual_seed(1);
        using var model = TestModels.Mlp(4, 32, 1, depth: 3, () => nn.Tanh());
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var run = TrainingRun.Train(model, optimizer, steps: 40, configure: w => w.DetectOvershooting());
        Assert.DoesNotContain(run.Events, e => e.Kind == GradientIssueKind.Overshooting);
        Assert.True(run.Snapshots.Skip(1).Count(s => !double.IsNaN(s.StepSizeAlpha)) > 30);
        Assert.True(run.Snapshots.Skip(1).Where(s => !double.IsNaN(s.StepSizeAlpha)).Average(s => s.StepSizeAlpha) < 0);
    }

    [Fact]
    public void ReduceLearningRateCanTriggerOnOvershooting()
    {
        torch.manual_seed(1);
        using var model = TestModels.Mlp(4, 64, 1, depth: 4, () => nn.ReLU());
        using var optimizer = optim.SGD(model.parameters(), 0.3, momentum: 0.9);
        var run = TrainingRun.Train(model, optimizer, steps: 40, configure: w => w
            .DetectOvershooting()
            .ReduceLearningRate(o => { o.Trigger = RemedyTrigger.OnIssues(GradientIssueKind.Overshooting); o.CooldownSteps = 3; }));
        Assert.Contains(run.Events, e => e.Remedy == "reduce_lr" && e.Kind == GradientIssueKind.Overshooting);
        Assert.True(optimizer.ParamGroups.First().LearningRate < 0.3);
    }

    [Fact]
    public void OvershootingStaysQuietUntilTheLossRisesAboveWhereTrainingStarted()
    {
        // Large α from the first steps while the loss falls (the corpus' GRUs at SGD 0.5, a transformer at Adam 3e-2):
        // the old rule had no loss history yet and reported it at step 5. A later 5× bump that stays below the first
        // loss (an RNN at SGD 0.1 rose from 0.004 to 0.07, then converged) is not reported either.
        var detector = new OvershootingDetector(new OvershootingOptions());
        var issues = new List<DetectedIssue>();
        double[] losses = [1.0, 0.8, 0.6, 0.5, 0.4, 0.2, 0.1, 0.05, 0.04, 0.04, 0.04, 0.05, 0.1, 0.2, 0.3, 0.3, 0.3, 0.3];
        for (int s = 0; s < losses.Length; s++)
        {
            detector.Detect(Step(s + 1, losses[s], alpha: 0.9), issues);
        }

        Assert.Empty(issues);
    }

    [Fact]
    public void OvershootingIsReportedWhileTheLossRisesPersistently()
    {
        var detector = new OvershootingDetector(new OvershootingOptions());
        var issues = new List<DetectedIssue>();
        double[] losses = [1.0, 0.8, 0.6, 0.5, 0.4, 0.5, 0.9, 1.5, 2.5, 4.0];
        int reportedAt = 0;
        for (int s = 0; s < losses.Length && reportedAt == 0; s++)
        {
            detector.Detect(Step(s + 1, losses[s], alpha: 0.9), issues);
            reportedAt = issues.Count > 0 ? s + 1 : 0;
        }

        // Step 10: the last five losses (mean 1.88) are above the five before them (0.66), above 3× the lowest window mean
        // (0.56) and above the first loss; at step 9 (mean 1.16) the loss rose, but not yet 3× its lowest.
        Assert.Equal(10, reportedAt);
        Assert.Equal(GradientIssueKind.Overshooting, issues[0].Kind);
    }

    [Fact]
    public void WithoutALossOvershootingReadsAlphaAlone()
    {
        var detector = new OvershootingDetector(new OvershootingOptions());
        var issues = new List<DetectedIssue>();
        for (int s = 1; s <= 5; s++)
        {
            detector.Detect(Snapshots.FromNorms(s, 1.0) with { StepSizeAlpha = 0.9 }, issues);
        }

        Assert.Single(issues);
    }

    private static StepSnapshot Step(int step, double loss, double alpha)
        => Snapshots.Build(step, new[] { 1.0 }, loss: loss) with { StepSizeAlpha = alpha };
}
