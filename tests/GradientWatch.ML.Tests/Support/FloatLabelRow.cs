using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests.Support;

public sealed class FloatLabelRow
{
    [VectorType(2)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}
