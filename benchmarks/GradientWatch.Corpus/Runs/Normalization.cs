namespace GradientWatch.Corpus.Runs;

/// <summary>Normalization between hidden layers.</summary>
internal enum Normalization
{
    None,
    Batch,
    Layer,
}
