namespace GradientWatch.ML.Inference;

/// <summary>Input row of the format-1 contract (see <see cref="TorchModulePlaceholderFactory"/>): no columns.</summary>
internal sealed class TorchModulePlaceholderInput
{
}
