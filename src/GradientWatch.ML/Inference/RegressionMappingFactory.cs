using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>Recreates a regression module's mapping when ML.NET loads a model; the module is rebuilt from the stored weights on the first row.</summary>
[CustomMappingFactoryAttribute(CarrierColumns.RegressionContract)]
internal sealed class RegressionMappingFactory : CustomMappingFactory<CarrierInput, RegressionScoreRow>
{
    public override Action<CarrierInput, RegressionScoreRow> GetMapping() => TorchModuleMappings.Regression(new LoadedModelResolver().Resolve);
}
