namespace GradientWatch.Corpus.Runs;

/// <summary>Model families of the corpus.</summary>
internal enum Architecture
{
    Mlp,
    ResidualMlp,
    Conv1d,
    Rnn,
    Gru,
    Lstm,
    Transformer,
}
