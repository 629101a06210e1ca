using GradientWatch.ML.Inference;
using static TorchSharp.torch;

namespace GradientWatch.ML;

/// <summary>
/// The trained model of a <see cref="GradientWatchCatalog"/> trainer, as <see cref="TorchModulePredictionTransformer.Model"/>
/// gives it (the counterpart of the model parameters of ML.NET's own trainers).
/// </summary>
public sealed class TorchModuleParameters
{
    private readonly TorchModuleModel model;

    internal TorchModuleParameters(TorchModuleModel model) => this.model = model;

    /// <summary>The trained TorchSharp module, in eval mode. Changing its weights changes the transformer's predictions and what a later save writes.</summary>
    public nn.Module<Tensor, Tensor> Module => model.Module;

    /// <summary>The module's name, as given to the trainer.</summary>
    public string ModuleName => model.Descriptor.ModuleName;

    /// <summary>Number of features the module takes.</summary>
    public int FeatureCount => model.Descriptor.FeatureCount;

    /// <summary>Number of classes (multiclass classification), else 1.</summary>
    public int ClassCount => model.Descriptor.ClassCount;
}
