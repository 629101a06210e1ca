using GradientWatch.Corpus.MlNet;
using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;
using TorchSharp;

namespace GradientWatch.Corpus.Tests;

/// <summary>
/// Issue 11's report, on the path it came from: ML.NET's MLContext, GradientWatch.ML's TorchModule trainer and
/// <c>.WithGradientWatch(...)</c>, on real data. A healthy small MLP raises no Error alarm and keeps its learning rate
/// under the recommended chain; the report's divergent regression is flagged before its loss goes non-finite.
/// </summary>
[Collection(MlNetPathCollection.Name)]
public sealed class MlNetPathTests
{
    private static readonly IReadOnlyList<MlNetSetup> Setups = MlNetCorpus.All();

    public MlNetPathTests() => torch.set_num_threads(1);

    [Fact]
    public void TheIssuesHealthySetupRaisesNoErrorAndTheRecommendedChainKeepsItsLearningRate()
    {
        var setup = Setups.First(s => s.Spec.Dataset == "iris");
        var reference = CorpusEvaluation.References(CorpusEvaluation.Run([CorpusDefinition.Reference("iris", 0)], [RemedyConfig.None]));
        var entry = Assert.Single(MlNetCorpus.Run([setup], reference));

        Assert.Equal(LabelKind.Healthy, entry.Entry.Label.Primary);
        Assert.True(entry.Entry.Baseline.Trajectory.Losses.Length >= 60, "the loss of every step reaches the corpus through the watcher's snapshots");
        Assert.DoesNotContain(entry.Entry.Baseline.Events, e => !e.IsRemedy && e.Severity >= GradientEventSeverity.Error);

        var chain = entry.Outcomes[RemedyConfig.Recommended];
        Assert.Equal(0, chain.LearningRateCuts);
        Assert.Equal(1.0, chain.FinalLearningRateRatio, 9);
        Assert.DoesNotContain(chain.Run.Events, e => e.IsRemedy && e.Remedy == "reduce_lr");
        Assert.True(chain.Metric >= entry.Outcomes[RemedyConfig.None].Metric - 0.01, $"macro accuracy {entry.Outcomes[RemedyConfig.None].Metric} without the chain, {chain.Metric} with it");
    }

    [Fact]
    public void TheIssuesDivergentRegressionIsFlaggedBeforeItsLossGoesNonFinite()
    {
        var setup = Setups.Single(s => s.Role.Contains("divergent", StringComparison.Ordinal));
        var outcome = MlNetRunner.Run(setup, RemedyConfig.None);
        var label = Labeller.Label(outcome.Run.Trajectory, reference: 0.9);
        Assert.True(label.Has(LabelKind.Diverged));
        Assert.NotNull(label.NonFiniteStep);
        long? first = Scorer.FirstIssue(outcome.Run, GradientIssueKind.Exploding, GradientEventSeverity.Error);
        Assert.True(first < label.NonFiniteStep, $"first Error-severity exploding issue at step {first}, loss non-finite at step {label.NonFiniteStep}");
    }
}
