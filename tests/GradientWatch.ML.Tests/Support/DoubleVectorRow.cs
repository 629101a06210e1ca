using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests.Support;

public sealed class DoubleVectorRow
{
    [VectorType(3)]
    public double[] Features { get; set; } = Array.Empty<double>();

    public float Label { get; set; }
}
