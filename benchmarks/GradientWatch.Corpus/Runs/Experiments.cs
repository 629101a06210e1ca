namespace GradientWatch.Corpus.Runs;

internal static class Experiments
{
    private static readonly RemedyTrigger ErrorExploding = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding);

    public static void Configure(GradientWatchBuilder w, RemedyConfig config)
    {
        switch (config)
        {
            case RemedyConfig.C1:
                w.ClipRelativeNorm(10).ReduceLearningRate(o => o.Factor = 0.2).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C2:
                w.ClipRelativeNorm(10).ReduceLearningRate(o => o.Factor = 0.1).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C3:
                w.ClipRelativeNorm(10).ReduceLearningRate(o => o.Factor = 0.3).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C4:
                w.ClipRelativeNorm(8).ReduceLearningRate(o => o.Factor = 0.1).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C5:
                w.ClipRelativeNorm(20).ReduceLearningRate(o => o.Factor = 0.1).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C6:
                w.ClipRelativeNorm(10, 20).ReduceLearningRate(o => o.Factor = 0.1).SkipNonFiniteSteps();
                break;
            case RemedyConfig.C7:
                w.ClipRelativeNorm(10).ReduceLearningRate(o => o.Factor = 0.1).SkipNonFiniteSteps(o => o.Trigger = RemedyTrigger.OnIssues(GradientEventSeverity.Error, GradientIssueKind.Exploding, GradientIssueKind.NonFinite));
                break;
            case RemedyConfig.C8:
                w.ClipRelativeNorm(10).ReduceLearningRate(o => { o.Factor = 0.1; o.CooldownSteps = 20; }).SkipNonFiniteSteps();
                break;
        }
    }
}
