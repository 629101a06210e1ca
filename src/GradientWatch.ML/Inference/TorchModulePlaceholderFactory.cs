using GradientWatch.ML.Persistence;
using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Resolves the <see cref="TorchTransformerFactory.Contract"/> CustomMapping when ML.NET loads a model. The module's
/// weights are not part of ML.NET's own entries, so this only stands in for the module: inside
/// <see cref="GradientWatchCatalog.LoadWithTorchModules(Microsoft.ML.ModelOperationsCatalog, string, out Microsoft.ML.DataViewSchema)"/>
/// the placeholder is replaced by the real transformer; anywhere else loading fails with a message saying what to do.
/// </summary>
[CustomMappingFactoryAttribute(TorchTransformerFactory.Contract)]
internal sealed class TorchModulePlaceholderFactory : CustomMappingFactory<TorchModulePlaceholderInput, TorchModulePlaceholderOutput>
{
    internal const string LoadWithHelperMessage =
        "This model contains a TorchSharp module trained by GradientWatch.ML. Its weights are stored beside ML.NET's entries in the model file, " +
        "which ml.Model.Load cannot read. Load the file with ml.Model.LoadWithTorchModules(...) (namespace GradientWatch.ML), " +
        "and save such models with ml.Model.SaveWithTorchModules(...).";

    public override Action<TorchModulePlaceholderInput, TorchModulePlaceholderOutput> GetMapping()
    {
        if (!TorchModelLoadScope.IsActive)
        {
            throw new InvalidOperationException(LoadWithHelperMessage);
        }

        return static (_, _) => throw new InvalidOperationException(LoadWithHelperMessage);
    }
}
