namespace GradientWatch.ML.Tests.Support;

public sealed class BinaryRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public bool Label { get; set; }
}
