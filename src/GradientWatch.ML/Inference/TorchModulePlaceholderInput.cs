namespace GradientWatch.ML.Inference;

/// <summary>Input of the placeholder that stands for a trained module while a model file is being loaded: no columns.</summary>
internal sealed class TorchModulePlaceholderInput
{
}
