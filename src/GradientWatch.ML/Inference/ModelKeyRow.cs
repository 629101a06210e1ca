using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>Output of the mapping that adds the model key, the lookup key of the module's stored weights.</summary>
internal sealed class ModelKeyRow
{
    [ColumnName(CarrierColumns.Key)]
    public uint Key;
}
