namespace GradientWatch.Corpus.Runs;

/// <summary>Optimizers of the corpus.</summary>
internal enum OptimizerKind
{
    Sgd,
    Momentum,
    Adam,
    AdamW,
}
