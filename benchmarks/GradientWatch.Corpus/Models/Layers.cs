using GradientWatch.Corpus.Runs;
using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>Small factories shared by the corpus models.</summary>
internal static class Layers
{
    public static nn.Module<Tensor, Tensor> Activation(Activation activation) => activation switch
    {
        Runs.Activation.ReLU => nn.ReLU(),
        Runs.Activation.Tanh => nn.Tanh(),
        Runs.Activation.LeakyReLU => nn.LeakyReLU(0.01),
        _ => nn.Sigmoid(),
    };

    public static nn.Module<Tensor, Tensor> Norm(Normalization normalization, int width) => normalization switch
    {
        Normalization.Batch => nn.BatchNorm1d(width),
        Normalization.Layer => nn.LayerNorm(width),
        _ => nn.Identity(),
    };
}
