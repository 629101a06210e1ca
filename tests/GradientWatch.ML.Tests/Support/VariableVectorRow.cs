namespace GradientWatch.ML.Tests.Support;

public sealed class VariableVectorRow
{
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Label { get; set; }
}
