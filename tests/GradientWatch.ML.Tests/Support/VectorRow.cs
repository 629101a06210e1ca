using Microsoft.ML.Data;

namespace GradientWatch.ML.Tests.Support;

public sealed class VectorRow
{
    [VectorType(3)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}
