using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;

namespace GradientWatch.Corpus.MlNet;

/// <summary>One ML.NET-path run: its setup, its corpus entry (label and results, scored like any corpus run) and ML.NET's metrics per configuration.</summary>
internal sealed record MlNetEntry(MlNetSetup Setup, CorpusEntry Entry, IReadOnlyDictionary<RemedyConfig, MlNetOutcome> Outcomes);
