using GradientWatch.Corpus.Runs;

namespace GradientWatch.Corpus.Scoring;

/// <summary>One run of the corpus: its label (from the detection-only run) and its result under every remedy configuration.</summary>
internal sealed record CorpusEntry(RunSpec Spec, RunLabel Label, IReadOnlyDictionary<RemedyConfig, RunResult> Results, double Reference)
{
    public RunResult Baseline => Results[RemedyConfig.None];
}
