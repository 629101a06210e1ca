using GradientWatch.ML.Inference;

namespace GradientWatch.ML.Persistence;

/// <summary>The list of trained modules in a model file, in the order ML.NET loads their transformers.</summary>
internal sealed class TorchModelManifest
{
    public int Format { get; set; } = TorchModuleDescriptor.CurrentFormat;

    public List<TorchModuleDescriptor> Modules { get; set; } = new();
}
