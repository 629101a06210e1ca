using static TorchSharp.torch;

namespace GradientWatch.Corpus.Models;

/// <summary>A model whose hidden activations the corpus harness can read (for the dead-unit label).</summary>
internal interface IActivationProbe
{
    /// <summary>The output of every hidden activation for <paramref name="input"/>, input side first.</summary>
    IReadOnlyList<Tensor> HiddenActivations(Tensor input);
}
