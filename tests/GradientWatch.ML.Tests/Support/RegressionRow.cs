namespace GradientWatch.ML.Tests.Support;

public sealed class RegressionRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public float X3 { get; set; }

    public float Label { get; set; }
}
