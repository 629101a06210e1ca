using GradientWatch.Corpus.Runs;
using GradientWatch.Corpus.Scoring;
using TorchSharp;

namespace GradientWatch.Corpus.Tests;

/// <summary>
/// Trains the quick subset of the corpus once (about 40 seeded runs on real data, detection only and with the
/// recommended remedy chain) and scores it. The datasets come from scripts/ensure-datasets.sh (called by scripts/test.sh).
/// </summary>
public sealed class QuickCorpusFixture
{
    public QuickCorpusFixture()
    {
        torch.set_num_threads(1);
        Entries = CorpusEvaluation.Run(CorpusDefinition.Quick(), [RemedyConfig.None, RemedyConfig.Recommended]);
        Score = Scorer.Score(Entries);
    }

    internal IReadOnlyList<CorpusEntry> Entries { get; }

    internal CorpusScore Score { get; }
}
