using Microsoft.ML.Transforms;

namespace GradientWatch.ML.Inference;

/// <summary>Recreates, when ML.NET loads a model, the mapping that adds the constant model key.</summary>
[CustomMappingFactoryAttribute(CarrierColumns.KeyContract)]
internal sealed class ModelKeyFactory : CustomMappingFactory<EmptyRow, ModelKeyRow>
{
    public static void Map(EmptyRow input, ModelKeyRow output) => output.Key = 1;

    public override Action<EmptyRow, ModelKeyRow> GetMapping() => Map;
}
