namespace GradientWatch.Corpus.Runs;

/// <summary>Hidden activation of MLPs, convolutions and plain RNNs.</summary>
internal enum Activation
{
    ReLU,
    Tanh,
    Sigmoid,
    LeakyReLU,
}
