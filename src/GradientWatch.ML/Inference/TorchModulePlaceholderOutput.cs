namespace GradientWatch.ML.Inference;

/// <summary>Output of the placeholder that stands for a trained module while a model file is being loaded.</summary>
internal sealed class TorchModulePlaceholderOutput
{
    public float GradientWatchTorchModulePlaceholder;
}
