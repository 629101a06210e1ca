using Microsoft.ML.Data;

namespace GradientWatch.ML.Inference;

/// <summary>Input row of the trained module's mapping: the features vector (renamed to the configured column by a schema definition).</summary>
internal sealed class TorchFeaturesRow
{
    public VBuffer<float> Features;
}
