using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>
/// Resolves the contract of models saved by an earlier preview of GradientWatch.ML (format 1), which kept the weights
/// beside ML.NET's entries. This version does not read them; loading says so instead of failing on an unknown contract.
/// </summary>
[CustomMappingFactoryAttribute(Contract)]
internal sealed class TorchModulePlaceholderFactory : CustomMappingFactory<TorchModulePlaceholderInput, TorchModulePlaceholderOutput>
{
    public const string Contract = "GradientWatch.TorchModule.v1";

    internal const string Message =
        "This model file was saved by an earlier preview of GradientWatch.ML (format 1, weights kept beside ML.NET's entries), which this version does not read. " +
        "Train the model again and save it with ml.Model.Save: the weights now travel inside ML.NET's own model.";

    public override Action<TorchModulePlaceholderInput, TorchModulePlaceholderOutput> GetMapping() => throw new InvalidDataException(Message);
}
