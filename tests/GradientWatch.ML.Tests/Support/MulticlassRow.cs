namespace GradientWatch.ML.Tests.Support;

public sealed class MulticlassRow
{
    public float X1 { get; set; }

    public float X2 { get; set; }

    public string Label { get; set; } = "";
}
