using GradientWatch.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GradientWatch.Tests.Scenarios;

/// <summary>The classic gradient failures, reproduced on real TorchSharp training with fixed seeds.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class ClassicScenarioTests
{
    [Fact]
    public void DeepSigmoidMlpFlagsVanishingEarlyLayersWithAdviceNamingTheActivations()
    {
        torch.manual_seed(3);
        using var model = TestModels.Mlp(4, 32, 1, depth: 12, () => nn.Sigmoid());
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var run = TrainingRun.Train(model, optimizer, steps: 30);

        var vanishing = run.Events.Where(e => e.Kind == GradientIssueKind.Vanishing && e.Type == GradientEventType.Issue).ToList();
        Assert.NotEmpty(vanishing);
        var first = vanishing[0];
        Assert.Contains("0", first.Layers);           // the first Linear, nearest the input
        Assert.DoesNotContain("22", first.Layers);    // the output Linear stays healthy
        Assert.True(first.Details["depth_profile"] < 1e-4, $"depth profile {first.Details["depth_profile"]}");
        Assert.Equal(GradientEventSeverity.Warning, first.Severity);
        Assert.NotNull(first.Advice);
        Assert.Contains("11 Sigmoid activations", first.Advice);
        Assert.Contains("no normalization", first.Advice);

        var last = run.Snapshots[^1];
        Assert.True(last.Layers[^1].GradientNorm > 1e4 * last.Layers[0].GradientNorm);
        Assert.DoesNotContain(run.Events, e => e.Kind == GradientIssueKind.Exploding);
    }

    [Fact]
    public void HighLearningRateExplodesWithoutClippingAndTrainsWithIt()
    {
        var unclipped = Exploding(clip: false);
        var clipped = Exploding(clip: true);

        // Without clipping: exploding gradients are detected early, and the loss diverges.
        int firstNonFinite = unclipped.Losses.ToList().FindIndex(l => !double.IsFinite(l)) + 1;
        var explodingSteps = unclipped.Events.Where(e => e.Kind == GradientIssueKind.Exploding && e.Type == GradientEventType.Issue).Select(e => e.Step).ToList();
        Assert.NotEmpty(explodingSteps);
        Assert.True(explodingSteps[0] <= 15, $"first exploding event at step {explodingSteps[0]}");
        Assert.True(firstNonFinite > 0, "the unclipped run should diverge to a non-finite loss");
        Assert.True(explodingSteps[0] < firstNonFinite, "exploding must be flagged before the loss turns non-finite");
        Assert.Contains(unclipped.Events, e => e.Kind == GradientIssueKind.NonFinite);

        // With clipping: the same run stays finite and its loss decreases.
        Assert.All(clipped.Losses, l => Assert.True(double.IsFinite(l)));
        double start = clipped.Losses.Take(5).Average();
        double end = clipped.Losses.TakeLast(10).Average();
        Assert.True(end < 0.5 * start, $"loss {start:G3} → {end:G3}");
        Assert.True(clipped.Summary.RemedyCounts.GetValueOrDefault("clip_global_norm") > 10);
        Assert.All(clipped.Snapshots, s => Assert.True(s.GlobalGradientNormAfterRemedies <= 1.0 + 1e-5));
    }

    private static TrainingRun.Result Exploding(bool clip)
    {
        torch.manual_seed(1);
        using var model = TestModels.Mlp(4, 64, 1, depth: 4, () => nn.ReLU());
        using var optimizer = optim.SGD(model.parameters(), 0.3, momentum: 0.9);
        return TrainingRun.Train(model, optimizer, steps: 60, configure: w =>
        {
            if (clip)
            {
                w.ClipGlobalNorm(1.0);
            }
        });
    }

    [Fact]
    public void InjectedNanIsDetectedOnItsStepAndTheStepIsSkippedWithWeightsBitForBitUnchanged()
    {
        const int k = 6;
        torch.manual_seed(2);
        using var model = TestModels.Mlp(4, 16, 1, depth: 3, () => nn.Tanh());
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        var before = new Dictionary<int, double[][]>();
        var run = TrainingRun.Train(model, optimizer, steps: 12, configure: w => w.SkipNonFiniteSteps(), beforeStep: (step, m) =>
        {
            before[step] = m.parameters().Select(p => TestModels.Values(p)).ToArray();
            if (step == k)
            {
                var layer = m.named_parameters().Single(p => p.name == "2.weight").parameter;
                using var g = layer.grad!;
                using (torch.no_grad())
                {
                    g[0, 3] = torch.tensor(float.NaN);
                }
            }
        });

        var snapshot = run.Snapshots[k - 1];
        Assert.True(snapshot.HasNonFinite);
        Assert.True(snapshot.StepSkipped);
        Assert.Equal(1, snapshot.FindLayer("2")!.NanCount);
        var issue = Assert.Single(run.Events, e => e.Kind == GradientIssueKind.NonFinite && e.Type == GradientEventType.Issue);
        Assert.Equal(k, issue.Step);
        Assert.Equal(new[] { "2" }, issue.Layers);
        Assert.Contains("skip_step", issue.RemediesTaken);
        Assert.Single(run.Events, e => e.Remedy == "skip_step" && e.Step == k);

        // Bit-for-bit: the weights entering step k+1 are those that entered step k.
        var atK = before[k];
        var afterK = before[k + 1];
        for (int p = 0; p < atK.Length; p++)
        {
            Assert.Equal(atK[p], afterK[p]);
        }

        // Training continues: later steps are taken and change the weights.
        Assert.All(run.Snapshots.Skip(k), s => Assert.False(s.StepSkipped));
        Assert.NotEqual(before[k + 1][0], before[k + 3][0]);
        Assert.Equal(1, run.Summary.SkippedSteps);
        Assert.All(run.Losses, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void TinyLearningRateIsReportedAsStalledFromTheMeasuredUpdateRatio()
    {
        torch.manual_seed(4);
        using var model = TestModels.Mlp(4, 16, 1, depth: 3, () => nn.Tanh());
        using var optimizer = optim.SGD(model.parameters(), 1e-9);
        var run = TrainingRun.Train(model, optimizer, steps: 12, configure: w => w.Configure(o => o.FullStatisticsInterval = 2));

        // Update ratios are measured on full-statistics steps (every 2nd), after the optimizer step.
        Assert.All(run.Snapshots.Where(s => s.IsFullStatistics), s => Assert.All(s.Layers, l => Assert.InRange(l.UpdateToWeightRatio, 0, 1e-7))); // below float32 resolution: the weights do not move at all
        Assert.All(run.Snapshots.Where(s => !s.IsFullStatistics), s => Assert.All(s.Layers, l => Assert.True(double.IsNaN(l.UpdateToWeightRatio))));
        var stalled = Assert.Single(run.Events, e => e.Kind == GradientIssueKind.Stalled && e.Type == GradientEventType.Issue);
        Assert.Equal(9, stalled.Step); // the 5th measured step: 1, 3, 5, 7, 9
        Assert.Equal(new[] { "0", "2", "4" }, stalled.Layers);
        Assert.Contains("learning rate", stalled.Advice);

        // A healthy learning rate moves the weights: no stall.
        torch.manual_seed(4);
        using var healthy = TestModels.Mlp(4, 16, 1, depth: 3, () => nn.Tanh());
        using var sgd = optim.SGD(healthy.parameters(), 0.05);
        Assert.DoesNotContain(TrainingRun.Train(healthy, sgd, steps: 12, configure: w => w.Configure(o => o.FullStatisticsInterval = 2)).Events, e => e.Kind == GradientIssueKind.Stalled);
    }

    [Fact]
    public void HaltStopsTrainingWithTheDiagnosis()
    {
        torch.manual_seed(2);
        using var model = TestModels.Mlp(4, 8, 1, depth: 2, () => nn.Tanh());
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var ex = Assert.Throws<GradientWatchHaltedException>(() => TrainingRun.Train(model, optimizer, steps: 10, configure: w => w.SkipNonFiniteSteps().HaltAfter(3), beforeStep: (step, m) =>
        {
            if (step >= 4)
            {
                using var g = m.parameters().First().grad!;
                using (torch.no_grad())
                {
                    g[0, 0] = torch.tensor(float.PositiveInfinity);
                }
            }
        }));
        Assert.Equal(6, ex.Snapshot.Step);
        Assert.True(ex.Snapshot.StepSkipped);
        Assert.Contains(ex.RecentEvents, e => e.Remedy == "halt" && e.Severity == GradientEventSeverity.Critical);
        Assert.Equal(3, ex.RecentEvents.Count(e => e.Kind == GradientIssueKind.NonFinite && e.Type == GradientEventType.Issue));
        Assert.Contains("3 consecutive bad steps", ex.Message);
    }
}
