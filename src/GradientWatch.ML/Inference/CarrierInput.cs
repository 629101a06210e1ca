using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>Input of a trained module's mapping: the features (copied to a private column) and the stored module.</summary>
internal sealed class CarrierInput
{
    [ColumnName(CarrierColumns.Features)]
    public VBuffer<float> Features;

    [ColumnName(CarrierColumns.Model)]
    public ReadOnlyMemory<char> Model;
}
