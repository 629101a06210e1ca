using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>Recreates a multiclass module's mapping when ML.NET loads a model; the module is rebuilt from the stored weights on the first row.</summary>
[CustomMappingFactoryAttribute(CarrierColumns.MulticlassContract)]
internal sealed class MulticlassMappingFactory : CustomMappingFactory<CarrierInput, MulticlassSlotsRow>
{
    public override Action<CarrierInput, MulticlassSlotsRow> GetMapping() => TorchModuleMappings.Multiclass(new LoadedModelResolver().Resolve);
}
