using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>Recreates a binary classification module's mapping when ML.NET loads a model; the module is rebuilt from the stored weights on the first row.</summary>
[CustomMappingFactoryAttribute(CarrierColumns.BinaryContract)]
internal sealed class BinaryMappingFactory : CustomMappingFactory<CarrierInput, BinaryScoreRow>
{
    public override Action<CarrierInput, BinaryScoreRow> GetMapping() => TorchModuleMappings.Binary(new LoadedModelResolver().Resolve);
}
