namespace GradientWatch.ML.Inference;

/// <summary>Output row of the format-1 contract (see <see cref="TorchModulePlaceholderFactory"/>).</summary>
internal sealed class TorchModulePlaceholderOutput
{
    public float GradientWatchTorchModulePlaceholder;
}
